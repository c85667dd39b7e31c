import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pomFile } from './paths';

const MARKER = '.resolved-from-pom';

/**
 * Kafka's jars, resolved once by Maven from Maven Central into `<home>/libs` and
 * reused while pom.xml is unchanged. Returns the folder to put on the classpath.
 */
export const ensureKafkaJars = (home: string, log: (line: string) => void): string => {
  const libs = path.join(home, 'libs');
  const pomHash = createHash('sha256').update(fs.readFileSync(pomFile)).digest('hex');
  const marker = path.join(libs, MARKER);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === pomHash) return libs;

  requireTool('java', ['-version'], 'Java 17 or newer');
  requireTool('mvn', ['-v'], 'Apache Maven');
  log(`resolving Kafka jars with Maven into ${libs} (once; later starts reuse them)`);
  // Resolve into a fresh folder and swap it in, so an interrupted download is never reused.
  const staging = `${libs}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const mvn = spawnSync('mvn', ['-q', '-B', '-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (mvn.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`Maven could not resolve Kafka's jars (exit ${mvn.status}):\n${(mvn.stdout + mvn.stderr).slice(-4000)}`);
  }
  fs.writeFileSync(path.join(staging, MARKER), pomHash);
  fs.rmSync(libs, { recursive: true, force: true });
  fs.renameSync(staging, libs);
  return libs;
};

const requireTool = (command: string, args: string[], what: string): void => {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${what} is needed to run Kafka without Docker ('${command}' was not found or failed). ` + 'Install it, or point KAFKA_BROKERS at a running broker.',
    );
  }
};
