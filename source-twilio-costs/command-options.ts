import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type StrictConfig<T extends OptionsConfig> = { args: string[]; options: T; strict: true; allowPositionals: false };

/**
 * The `--name value` options of a local command (sync, report): strict and without positionals, so a
 * misspelt option is an error, which `toError` turns into the command's own, with its usage line.
 */
export function parseCommandOptions<T extends OptionsConfig>(argv: string[], options: T, usage: string, toError: (message: string) => Error): ReturnType<typeof parseArgs<StrictConfig<T>>>['values'] {
  try {
    return parseArgs<StrictConfig<T>>({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw toError(`${(error as Error).message}. ${usage}`);
  }
}
