import { defineKernelCases } from './kernel-cases.ts';

defineKernelCases('netlink');
