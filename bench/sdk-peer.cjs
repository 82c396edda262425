'use strict';
/**
 * The peer a user would otherwise write: the official twilio SDK listing every account's daily
 * usage records (all categories, PageSize 1000), the accounts side by side. Pointed at the
 * simulator by replacing the API domain's base URL, which the SDK's page links are built from.
 *
 * Input (env): BENCH_BASE_URL, BENCH_MAIN_SID, BENCH_AUTH_TOKEN, BENCH_ACCOUNTS (comma-separated
 * SIDs), BENCH_START_DATE, BENCH_END_DATE. Prints the number of records it received.
 */
const twilio = require('twilio');

async function main() {
  const env = process.env;
  const client = twilio(env.BENCH_MAIN_SID, env.BENCH_AUTH_TOKEN);
  client.api.baseUrl = env.BENCH_BASE_URL;
  const counts = await Promise.all(
    env.BENCH_ACCOUNTS.split(',').map(async (sid) => {
      let records = 0;
      await client.api.v2010.accounts(sid).usage.records.daily.each({
        startDate: new Date(`${env.BENCH_START_DATE}T00:00:00Z`),
        endDate: new Date(`${env.BENCH_END_DATE}T00:00:00Z`),
        includeSubaccounts: false,
        pageSize: 1000,
        callback: () => {
          records += 1;
        },
      });
      return records;
    }),
  );
  process.stdout.write(`${counts.reduce((sum, count) => sum + count, 0)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
