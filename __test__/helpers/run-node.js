'use strict'
const { execFile } = require('child_process')

/** Runs a Node script to its end: { code, stdout, stderr }, never a rejection. */
function runNode(script, args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr })
    })
  })
}

module.exports = { runNode }
