// Prettier set to the style the code was written in, chosen by measuring how much of the tree each
// setting would change: lines run long (220 changes the fewest lines; 100 would rewrite 16k),
// single quotes, semicolons, trailing commas wherever a list spans lines, `(x) =>`.
/** @type {import('prettier').Config} */
export default {
  printWidth: 220,
  singleQuote: true,
  trailingComma: 'all',
  arrowParens: 'always',
  overrides: [
    // Schemas and fixtures are written as JSON.stringify(value, null, 2) writes them: one array item a line.
    { files: ['schemas/*.json', 'integration_tests/*.json'], options: { parser: 'json-stringify' } },
    // The YAML files quote their strings with double quotes.
    { files: ['*.yml', '*.yaml'], options: { singleQuote: false } },
  ],
};
