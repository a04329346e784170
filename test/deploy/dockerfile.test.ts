import { RUNTIME_IMAGE_ENV } from '../../dev/bench/image-env';
import { commandOf, loadCompose, readRepoFile, repoFileExists, serviceNamed, sourceOfDistFile } from './stack-files';

const APP_SERVICES = ['bridge-api', 'bridge-worker', 'servicenow-sim'];

interface Stage {
  image: string;
  alias?: string;
  instructions: string[];
}

/** Splits the Dockerfile into its stages (continuation lines joined, comments dropped). */
function dockerfileStages(): Stage[] {
  const lines = readRepoFile('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim());
  const stages: Stage[] = [];
  for (const line of lines.filter((l) => l && !l.startsWith('#'))) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ image: from[1], alias: from[2], instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

function instruction(stage: Stage, keyword: string): string[] {
  return stage.instructions
    .filter((line) => line.toUpperCase().startsWith(`${keyword} `))
    .map((line) => line.slice(keyword.length + 1).trim());
}

/** A stage's ENV variables, unquoted as Docker does (`ENV A=1 B="x y"`). */
function envOf(stage: Stage): Record<string, string> {
  const pairs = instruction(stage, 'ENV').flatMap((line) => [...line.matchAll(/(\w+)=(?:"([^"]*)"|(\S*))/g)]);
  return Object.fromEntries(pairs.map(([, name, quoted, bare]) => [name, quoted ?? bare]));
}

const stages = dockerfileStages();
const runtime = stages.at(-1)!;
const compose = loadCompose();

describe('Dockerfile', () => {
  test('when a stage names a base image, then it is Debian-based, since the Temporal native module has no musl build', () => {
    const aliases = stages.map((stage) => stage.alias).filter(Boolean);
    const baseImages = stages.map((stage) => stage.image).filter((image) => !aliases.includes(image));
    expect(baseImages.length).toBeGreaterThan(0);
    for (const image of baseImages) {
      expect(image).not.toMatch(/alpine/i);
      expect(image).toMatch(/^node:20-(bookworm|bullseye|trixie)/);
    }
  });

  test('when the image builds, then it runs npm run build on the full dependency tree and ships production dependencies only', () => {
    const build = stages.find((stage) => stage.alias === 'build');
    expect(build && instruction(build, 'RUN')).toEqual(expect.arrayContaining(['npm ci', 'npm run build']));
    expect(instruction(runtime, 'RUN').some((cmd) => cmd.startsWith('npm ci --omit=dev'))).toBe(true);
    expect(instruction(runtime, 'COPY')).toContain('--from=build /app/dist ./dist');
  });

  test('when the runtime image starts, then it runs as the node user in production mode and exposes the api and metrics ports', () => {
    expect(instruction(runtime, 'USER')).toEqual(['node']);
    expect(instruction(runtime, 'ENV')).toContain('NODE_ENV=production');
    expect(instruction(runtime, 'EXPOSE').join(' ').split(/\s+/)).toEqual(expect.arrayContaining(['3000', '9464']));
  });

  test('when a process of the image starts, then it has the environment the benchmark measured its children with', () => {
    expect(Object.keys(RUNTIME_IMAGE_ENV).length).toBeGreaterThan(0);
    expect(envOf(runtime)).toEqual(expect.objectContaining(RUNTIME_IMAGE_ENV));
  });

  test('when the default CMD runs, then it starts a dist file compiled from an existing source', () => {
    const [cmd] = instruction(runtime, 'CMD');
    const argv = JSON.parse(cmd) as string[];
    expect(argv).toEqual(['node', 'dist/src/api/main.js']);
    expect(repoFileExists(sourceOfDistFile(argv[1]))).toBe(true);
  });

  test('when npm run build bundles the workflows, then the bundling script has a source', () => {
    const buildScript = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts.build;
    const distScripts = [...buildScript.matchAll(/node (dist\/\S+\.js)/g)].map((match) => match[1]);
    expect(distScripts).toEqual(['dist/src/scripts/build-workflow-bundle.js']);
    expect(distScripts.filter((file) => !repoFileExists(sourceOfDistFile(file)))).toEqual([]);
  });
});

describe('app services in docker-compose.yml', () => {
  test.each(APP_SERVICES)(
    'when %s starts, then its command runs a dist file whose source exists in src/ or dev/',
    (name) => {
      const [executable, distFile] = commandOf(serviceNamed(compose, name));
      expect(executable).toBe('node');
      expect(sourceOfDistFile(distFile)).toMatch(/^(src|dev)\/.+\.ts$/);
      expect({ distFile, sourceExists: repoFileExists(sourceOfDistFile(distFile)) }).toEqual({
        distFile,
        sourceExists: true,
      });
    },
  );

  test.each(APP_SERVICES)('when %s receives SIGTERM, then an init process forwards it to node', (name) => {
    expect(serviceNamed(compose, name).init).toBe(true);
  });

  test('when the app services are built, then they share one image built from the Dockerfile', () => {
    const images = APP_SERVICES.map((name) => serviceNamed(compose, name));
    expect(new Set(images.map((service) => service.image)).size).toBe(1);
    expect(images.every((service) => service.build === '.')).toBe(true);
  });
});
