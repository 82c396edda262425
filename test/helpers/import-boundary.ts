/**
 * Which module specifiers a source file names, and whether one reaches into a folder. Used to keep
 * the simulator (tools/simulator) and the connector (source-twilio-costs) from importing each other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import ts from 'typescript';

export const ROOT = path.resolve(__dirname, '../..');
const SOURCE_EXTENSIONS = /\.(ts|js|cjs|mjs)$/;

/**
 * Every specifier of `import`, `export … from`, `import()` and `require()`: TypeScript's own
 * pre-processor, so comments, strings and type-only imports are read as the compiler reads them.
 */
export function importSpecifiers(sourceText: string): string[] {
  return ts.preProcessFile(sourceText, true, true).importedFiles.map((file) => file.fileName);
}

/** The files under a folder, recursively, as absolute paths. */
export function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The JavaScript and TypeScript files under a folder, recursively. */
export function sourceFilesUnder(folder: string): string[] {
  return filesUnder(folder).filter((file) => SOURCE_EXTENSIONS.test(file));
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The specifiers of `file` that lead into `folder`: relative or absolute paths resolving inside it,
 * and bare specifiers naming it (a package self-reference such as `source-twilio-costs/dist/…`).
 */
export function importsInto(file: string, folder: string): string[] {
  const folderName = path.basename(folder);
  return importSpecifiers(readFileSync(file, 'utf8')).filter((specifier) => {
    if (specifier.startsWith('.') || path.isAbsolute(specifier)) return isInside(path.resolve(path.dirname(file), specifier), folder);
    return specifier.split('/').includes(folderName);
  });
}

/** Every import from a file under `from` into `into`, as "file: specifier" lines. */
export function crossings(from: string, into: string): string[] {
  return sourceFilesUnder(from).flatMap((file) => importsInto(file, into).map((specifier) => `${path.relative(ROOT, file)}: ${specifier}`));
}
