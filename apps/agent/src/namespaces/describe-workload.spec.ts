import { describe, expect, it } from 'vitest';
import {
  criLabelsFromAnnotations,
  criLabelsFromDockerName,
  podNameFromHostname,
  workloadFromCgroupFile,
  workloadFromCgroupPath,
} from './describe-workload.ts';

const ID = 'a3f1c9e0b7d24c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6';
const UID = '5c1b9a0e-3d2f-4e6a-9b8c-7d6e5f4a3b2c';

describe('workloadFromCgroupPath', () => {
  it('reads a containerd pod container under the systemd driver', () => {
    const path = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID.replaceAll('-', '_')}.slice/cri-containerd-${ID}.scope`;
    expect(workloadFromCgroupPath(path)).toEqual({ runtime: 'containerd', containerId: ID, podUid: UID });
  });

  it('reads CRI-O and the cgroupfs driver, where the runtime is not in the path', () => {
    expect(workloadFromCgroupPath(`/kubepods.slice/kubepods-pod${UID.replaceAll('-', '_')}.slice/crio-${ID}.scope`)).toEqual({
      runtime: 'cri-o',
      containerId: ID,
      podUid: UID,
    });
    expect(workloadFromCgroupPath(`/kubepods/besteffort/pod${UID}/${ID}`)).toEqual({ runtime: null, containerId: ID, podUid: UID });
  });

  it('reads Docker and Podman containers outside Kubernetes', () => {
    expect(workloadFromCgroupPath(`/system.slice/docker-${ID}.scope`)).toEqual({ runtime: 'docker', containerId: ID, podUid: null });
    expect(workloadFromCgroupPath(`/docker/${ID}`)).toEqual({ runtime: 'docker', containerId: ID, podUid: null });
    expect(workloadFromCgroupPath(`/machine.slice/libpod-${ID}.scope/container`)).toEqual({
      runtime: 'podman',
      containerId: ID,
      podUid: null,
    });
  });

  it('names nothing for host services and user sessions', () => {
    for (const path of ['/', '/system.slice/sshd.service', '/user.slice/user-0.slice/session-3.scope', '/system.slice/docker.service']) {
      expect(workloadFromCgroupPath(path)).toEqual({ runtime: null, containerId: null, podUid: null });
    }
  });
});

describe('workloadFromCgroupFile', () => {
  it('finds the container line among cgroup v1 hierarchies', () => {
    const text = `12:pids:/docker/${ID}\n11:memory:/docker/${ID}\n1:name=systemd:/docker/${ID}\n0::/\n`;
    expect(workloadFromCgroupFile(text)).toEqual({ runtime: 'docker', containerId: ID, podUid: null });
  });

  it('reads the single cgroup v2 line', () => {
    expect(
      workloadFromCgroupFile(`0::/kubepods.slice/kubepods-pod${UID.replaceAll('-', '_')}.slice/cri-containerd-${ID}.scope\n`),
    ).toMatchObject({ containerId: ID, podUid: UID });
  });
});

describe('CRI labels', () => {
  it('reads containerd annotations of an application container and of the sandbox', () => {
    expect(
      criLabelsFromAnnotations({
        'io.kubernetes.cri.container-type': 'container',
        'io.kubernetes.cri.container-name': 'api',
        'io.kubernetes.cri.sandbox-name': 'checkout-7d9f8-x2kq',
        'io.kubernetes.cri.sandbox-namespace': 'shop',
        'io.kubernetes.cri.sandbox-uid': UID,
      }),
    ).toEqual({ podName: 'checkout-7d9f8-x2kq', podNamespace: 'shop', podUid: UID, containerName: 'api', sandbox: false });
    expect(
      criLabelsFromAnnotations({
        'io.kubernetes.cri.container-type': 'sandbox',
        'io.kubernetes.cri.sandbox-name': 'p',
        'io.kubernetes.cri.sandbox-namespace': 'n',
      }),
    ).toMatchObject({ sandbox: true, containerName: null });
  });

  it('reads CRI-O annotations and ignores a plain OCI bundle', () => {
    expect(
      criLabelsFromAnnotations({
        'io.kubernetes.pod.name': 'web-0',
        'io.kubernetes.pod.namespace': 'default',
        'io.kubernetes.container.name': 'nginx',
      }),
    ).toMatchObject({
      podName: 'web-0',
      podNamespace: 'default',
      containerName: 'nginx',
    });
    expect(criLabelsFromAnnotations({ 'org.opencontainers.image.ref.name': 'x' })).toBeNull();
  });

  it('splits dockershim / cri-dockerd container names', () => {
    expect(criLabelsFromDockerName(`/k8s_api_checkout-7d9f8-x2kq_shop_${UID}_3`)).toEqual({
      podName: 'checkout-7d9f8-x2kq',
      podNamespace: 'shop',
      podUid: UID,
      containerName: 'api',
      sandbox: false,
    });
    expect(criLabelsFromDockerName(`/k8s_POD_web-0_default_${UID}_0`)).toMatchObject({ sandbox: true, containerName: null });
    expect(criLabelsFromDockerName('/happy_turing')).toBeNull();
  });
});

describe('podNameFromHostname', () => {
  it('takes the first DNS label and refuses anything else', () => {
    expect(podNameFromHostname('checkout-7d9f8-x2kq\n')).toBe('checkout-7d9f8-x2kq');
    expect(podNameFromHostname('web-0.web.shop.svc.cluster.local')).toBe('web-0');
    expect(podNameFromHostname('Not A Name')).toBeNull();
    expect(podNameFromHostname('')).toBeNull();
  });
});
