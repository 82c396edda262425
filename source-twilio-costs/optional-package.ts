/**
 * Optional dependencies (DuckDB, the chart renderer) are left out of the Airbyte image, which only
 * runs spec, check, discover and read. The local commands that need them load them on first use,
 * so the Airbyte commands never pay for them, and say how to get them when they are missing.
 */
export async function importOptionalPackage<T>(load: () => Promise<T>, command: string, packageName: string, toError: (message: string) => Error): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw toError(
        `${command} needs the optional package ${packageName}, which is not installed here (the Airbyte image leaves it out). Install it with \`npm install ${packageName}\`, or run the connector from a checkout after \`npm ci\`.`,
      );
    }
    throw error;
  }
}
