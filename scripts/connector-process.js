'use strict';
// Runs the built connector as a child process and returns its protocol messages (for scripts that
// regenerate fixtures from the simulator).
const { spawn } = require('node:child_process');
const path = require('node:path');

const CLI = path.resolve(__dirname, '..', 'dist', 'main.js');

function runConnector(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${args[0]} exited ${code}`));
      else
        resolve(
          stdout
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line)),
        );
    });
  });
}

module.exports = { CLI, runConnector };
