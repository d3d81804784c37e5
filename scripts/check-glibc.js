#!/usr/bin/env node
'use strict'
// The highest glibc symbol version a Linux .node needs, read from its ELF version-needs table
// (.gnu.version_r, what `objdump -T` shows as GLIBC_2.x). Fails when it is above the limit (default 2.17).
//   node scripts/check-glibc.js <file.node>... [--max 2.17]

const fs = require('node:fs')
const { MIN_GLIBC } = require('../lib/platform.js')

const SHT_GNU_VERNEED = 0x6ffffffe

/** Every version name the file needs, by library: { 'libc.so.6': ['GLIBC_2.2.5', …], … }. 64-bit little-endian ELF. */
function versionNeeds(file) {
  const b = fs.readFileSync(file)
  if (b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file}: not an ELF file`)
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${file}: only 64-bit little-endian ELF is read`)
  const shoff = Number(b.readBigUInt64LE(0x28))
  const shentsize = b.readUInt16LE(0x3a)
  const shnum = b.readUInt16LE(0x3c)
  const section = (i) => {
    const at = shoff + i * shentsize
    return { type: b.readUInt32LE(at + 4), offset: Number(b.readBigUInt64LE(at + 0x18)), link: b.readUInt32LE(at + 0x28), info: b.readUInt32LE(at + 0x2c) }
  }
  const str = (strtab, off) => {
    const start = strtab.offset + off
    return b.toString('latin1', start, b.indexOf(0, start))
  }
  const needs = {}
  for (let i = 0; i < shnum; i++) {
    const s = section(i)
    if (s.type !== SHT_GNU_VERNEED) continue
    const strtab = section(s.link)
    let vn = s.offset
    for (let n = 0; n < s.info; n++) {
      const lib = str(strtab, b.readUInt32LE(vn + 4))
      let aux = vn + b.readUInt32LE(vn + 8)
      for (let k = 0; k < b.readUInt16LE(vn + 2); k++) {
        ;(needs[lib] ||= []).push(str(strtab, b.readUInt32LE(aux + 8)))
        aux += b.readUInt32LE(aux + 12)
      }
      vn += b.readUInt32LE(vn + 12)
    }
  }
  return needs
}

function compare(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number))
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) - (y[i] || 0)
  return 0
}

/** '2.17', or null when the file needs no versioned glibc symbol. */
function maxGlibc(file) {
  const versions = Object.values(versionNeeds(file))
    .flat()
    .map((v) => /^GLIBC_(\d+(?:\.\d+)+)$/.exec(v))
    .filter(Boolean)
    .map((m) => m[1])
  return versions.sort(compare).pop() || null
}

module.exports = { versionNeeds, maxGlibc, compare }

if (require.main === module) {
  const args = process.argv.slice(2)
  let max = MIN_GLIBC
  const at = args.indexOf('--max')
  if (at >= 0) max = args.splice(at, 2)[1]
  if (!args.length) {
    console.error('usage: node scripts/check-glibc.js <file.node>... [--max 2.17]')
    process.exit(2)
  }
  let failed = false
  for (const file of args) {
    const need = maxGlibc(file)
    const ok = !need || compare(need, max) <= 0
    console.log(`${file}: needs glibc ${need || '(no versioned symbols)'}${ok ? ` (<= ${max}, ok)` : `, above ${max}`}`)
    if (!ok) failed = true
  }
  process.exitCode = failed ? 1 : 0
}
