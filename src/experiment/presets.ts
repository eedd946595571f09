/**
 * Named presets with the paper's sizes, widths and schedules, for users with a GPU and the data. A preset is
 * a list of flags applied before the user's own, so any flag given on the command line overrides it. Where
 * the paper is silent (resolution, iterations per data set), the choice is ours and said so in `note`.
 */
export interface Preset {
  summary: string;
  flags: string[];
  /** what the paper leaves open and what we chose */
  note: string;
  /** the data set must be given with --data */
  needsData: string;
}

/** What every paper preset shares: all seeds and the paper's batch, optimiser schedule and metric settings. */
const PAPER_RUN = ['--batch', '32', '--recon-every', '1000', '--final-steps', '500', '--seeds', '3'];
/** The R1 DCGAN with all four norms, widths doubling from 64, RMSprop lr 1e-4. */
const PAPER_DCGAN = ['--model', 'dcgan', '--norms', 'none,batch,weight,weight-affine', '--width', '64', '--lr', '1e-4', ...PAPER_RUN];

export const PRESETS: Record<string, Preset> = {
  'paper-celeba': {
    summary: 'R1 DCGAN on CelebA, all four norms, 64 px, widths 64..512, batch 32, RMSprop lr 1e-4, 200k iterations',
    flags: [...PAPER_DCGAN, '--data-kind', 'folder', '--center-crop', '160', '--image-size', '64', '--iterations', '200000'],
    note: "the official README's CelebA example (centre crop 160, 200k iterations); the paper does not state the resolution: we take 64 px; no class labels: FD/KID only with --classifier",
    needsData: 'the img_align_celeba folder',
  },
  'paper-cifar10': {
    summary: 'R1 DCGAN on CIFAR-10 (train and test concatenated), all four norms, 32 px, widths 64..256, batch 32, RMSprop lr 1e-4, 100k iterations',
    flags: [...PAPER_DCGAN, '--data-kind', 'cifar10', '--image-size', '32', '--iterations', '100000'],
    note: 'the paper does not state the CIFAR-10 iteration count: we take 100k',
    needsData: 'the CIFAR-10 binary folder (data_batch_*.bin, test_batch.bin)',
  },
  'paper-lsun': {
    summary: 'R1 DCGAN on LSUN bedroom, all four norms, 64 px, widths 64..512, batch 32, RMSprop lr 1e-4, 200k iterations',
    flags: [...PAPER_DCGAN, '--data-kind', 'lsun', '--image-size', '64', '--iterations', '200000'],
    note: 'the paper does not state the LSUN resolution or iterations: we take 64 px and 200k; LSUN has no labels: FD/KID only with --classifier',
    needsData: 'the bedroom_train LMDB folder',
  },
  'resnet-celeba': {
    summary: "R2's 21-layer WN ResNet on CelebA: 5 levels × 2 blocks at 128 px, RMSprop lr 2e-5, eps 1e-8, batch 32, z 128",
    flags: ['--model', 'resnet', '--norms', 'weight', '--data-kind', 'folder', '--center-crop', '160', '--image-size', '128', '--blocks', '2',
      '--width', '64', '--code-size', '128', '--iterations', '200000', '--lr', '2e-5', '--eps', '1e-8', ...PAPER_RUN],
    note: '"21 layers" read as 5 levels × 2 blocks + 1; the iteration count is ours; CelebA has no class labels: FD/KID only with --classifier',
    needsData: 'the img_align_celeba folder',
  },
};

export function presetHelp(): string {
  return Object.entries(PRESETS).map(([k, p]) => `  ${k.padEnd(14)} ${p.summary}\n  ${''.padEnd(14)} (needs --data: ${p.needsData}; ${p.note})`).join('\n');
}
