'use strict'
// A server the CLI started in the background must not outlive whoever started it: `npx wechat-openapi emulator &`
// then `kill $!` kills npx (and the shell npm runs the command through), not this process, which would go on
// holding its port. So it watches the processes it runs under and stops when one of them is gone.

const fs = require('node:fs')

/** The parent of `pid`, from /proc (Linux); undefined where that cannot be read. */
function parentOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may hold spaces: state, then the parent.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return undefined
  }
}

/** This process's parent and, where /proc says, a few of its ancestors (init excluded). */
function ancestors(depth = 3) {
  const chain = []
  let pid = process.ppid
  while (pid > 1 && chain.length < depth) {
    chain.push(pid)
    pid = parentOf(pid)
    if (pid === undefined) break
  }
  return chain
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === 'EPERM'
  }
}

/** Calls `stop` once, when the parent or an ancestor has exited; the watch does not keep the process alive. */
function whenOrphaned(stop, everyMs = 250) {
  const watched = ancestors()
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid !== parent || !watched.every(alive)) {
      clearInterval(timer)
      stop()
    }
  }, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}

module.exports = { whenOrphaned, ancestors }
