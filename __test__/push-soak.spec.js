'use strict'
// Issue 27: the small push soak. `npm run soak:push` sends 100 000 pushes; this sends 3 000 with the same mix
// (5 % duplicates, half of them at once to both processes; 1 % listener failures retried) to two processes
// sharing one redis-server, and asserts every push ran exactly once and none was lost.

const test = require('ava')
const { runPushSoak, redisServerInstalled } = require('../scripts/push-soak.js')

// Without redis-server this is skipped, except under CI (the harness then throws).
;(redisServerInstalled() ? test : test.skip)('small push soak: 3000 pushes to a fleet of two on Redis run exactly once each, none lost', async (t) => {
  t.timeout(120_000)
  const lines = []
  const r = await runPushSoak({ pushes: 3000, concurrency: 32, seed: 7, log: (line) => lines.push(line) })
  t.log(lines.join('\n'))
  t.is(r.notRun, 0, 'no push lost')
  t.is(r.ranTwice, 0, 'no push run twice')
  t.is(r.lost, 0)
  t.is(r.listenerRuns, 3000)
  t.true(r.injectedFailures > 0 && r.concurrentDuplicates > 0 && r.duplicatesSent > r.concurrentDuplicates)
  t.true(r.failedAnswers >= r.injectedFailures, 'each injected failure was answered as one, then delivered again')
  t.true(r.targetsMet)
})
