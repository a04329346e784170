/**
 * What the Dockerfile's runtime stage sets for every process of the image (test/deploy/dockerfile.test.ts holds the
 * two equal), so the benchmark measures its children as deployed.
 *
 * MALLOC_MMAP_THRESHOLD_: glibc raises its mmap threshold each time a large block is freed, after which such blocks
 * come from the per-thread arenas, whose free pages stay resident; a fixed threshold sends them back to mmap, returned
 * on free. Measured with 1 000 parked events: worker RSS 632 → 425 MB (README "Performance", *Tuning*).
 */
export const RUNTIME_IMAGE_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: '131072',
});
