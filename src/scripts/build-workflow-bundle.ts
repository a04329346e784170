import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLE } from '../worker/create-worker';

/** Bundles the workflow code once at build time (webpack), so workers start without it. */
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '..', 'workflows'),
    logger: { log() {}, info() {}, warn: console.warn, error: console.error, debug() {}, trace() {} },
  });
  await writeFile(PREBUILT_BUNDLE, code);
  console.log(
    `workflow bundle: ${path.relative(process.cwd(), PREBUILT_BUNDLE)} (${(code.length / 1024).toFixed(0)} KiB)`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
