/**
 * What the Dockerfile's runtime stage sets for every process of the image (test/deploy/dockerfile.test.ts holds the
 * two equal), so the benchmark measures its children as deployed.
 *
 * MALLOC_MMAP_THRESHOLD_: glibc raises its mmap threshold each time a large block is freed, after which such blocks
 * come from the per-thread arenas, whose free pages stay resident; a fixed threshold sends them back to mmap, returned
 * on free. Measured with 1 000 parked events: worker RSS 632 → 425 MB (README "Performance", *Tuning*).
 *
 * NODE_OPTIONS: a 256 MB old-space cap per V8 isolate (the worker's main thread and each workflow thread; their live
 * heaps are ≈ 45 MB each) makes V8 collect instead of growing its heaps. With the threshold above, 5 000 parked events:
 * 514 → 327 MB, end-to-end throughput 1.12 of before. 8 MB semi-spaces (Node's default 16) on top, two runs each way
 * on fresh dev servers: 323 / 331 → 295 / 293 MB, throughput 1.06 / 1.16 of without (4 MB: 279 MB but 0.83).
 */
export const RUNTIME_IMAGE_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: '131072',
  NODE_OPTIONS: '--max-old-space-size=256 --max-semi-space-size=8',
});
