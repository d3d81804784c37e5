'use strict'
// What users get: the tarballs `npm run package` wrote to dist/ (npm test runs it just before), installed with
// `npm install --offline` into a fresh project, then used the three ways users use them (require, import, the
// CLI) against the built-in emulator; and the one error a platform without a binary gets.

const test = require('ava')
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { maxGlibc } = require('../scripts/check-glibc.js')

const root = path.join(__dirname, '..')
const dist = path.join(root, 'dist')
const { version } = require('../package.json')
const mainTgz = path.join(dist, `wechat-openapi-${version}.tgz`)
const platformTgz = path.join(dist, `wechat-openapi-linux-x64-gnu-${version}.tgz`)
const linuxX64Gnu = process.platform === 'linux' && process.arch === 'x64' && !!process.report.getReport().header.glibcVersionRuntime

let project
test.before(() => {
  if (!fs.existsSync(mainTgz)) throw new Error(`no ${mainTgz}: run \`npm run package\` first (npm test does)`)
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-openapi-install-'))
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }))
  const tarballs = linuxX64Gnu ? [mainTgz, platformTgz] : [mainTgz]
  // --offline: nothing from a registry, only the tarballs. The other platforms' optional packages are skipped.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], { cwd: project, stdio: 'pipe', timeout: 120_000 })
})

test.after.always(() => {
  if (project) fs.rmSync(project, { recursive: true, force: true })
})

function node(args, opts = {}) {
  return spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', timeout: 60_000, ...opts })
}

const CALL = `
  const emu = await cloud.startEmulator({ port: 0, apps: [{ appid: 'wxtestapp', secret: 'test-secret' }] })
  try {
    cloud.init({ appid: 'wxtestapp', secret: 'test-secret', apiBase: emu.url })
    await emu.seedAccounts('wxtestapp', [{ bizId: 'biz1', deliveryId: 'SF' }])
    const res = await cloud.openapi.logistics.getAllAccount({})
    console.log(JSON.stringify({ count: res.count, errMsg: res.errMsg }))
  } finally { await emu.close() }`
const EXPECTED = { count: 1, errMsg: 'openapi.logistics.getAllAccount:ok' }

test('the installed main package holds what users run and build from, nothing else', (t) => {
  const dir = path.join(project, 'node_modules', 'wechat-openapi')
  for (const f of ['lib/binding.js', 'index.js', 'index.mjs', 'LICENSE', 'README.md', 'bin/wechat-openapi.js', 'scripts/install.js', 'Cargo.lock']) {
    t.true(fs.existsSync(path.join(dir, f)), f)
  }
  for (const f of ['__test__', 'bench', 'examples', 'demo', 'crates/client/tests', 'crates/protocol/src/crypto/fixtures', '.ci']) {
    t.false(fs.existsSync(path.join(dir, f)), f)
  }
  t.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.node')), [], 'the binary comes from the platform package')
  const pkg = require(path.join(dir, 'package.json'))
  t.is(pkg.optionalDependencies['wechat-openapi-darwin-arm64'], version)
  t.is(Object.keys(pkg.optionalDependencies).length, pkg.napi.targets.length)
})

test('the linux-x64-gnu binary users get needs glibc 2.17 at most', (t) => {
  if (!linuxX64Gnu) return t.pass('not linux-x64-gnu')
  const binary = path.join(project, 'node_modules', 'wechat-openapi-linux-x64-gnu', 'wechat-openapi.linux-x64-gnu.node')
  t.is(maxGlibc(binary), '2.17')
})

test('require: a call against the emulator', (t) => {
  const r = node(['-e', `const cloud = require('wechat-openapi'); (async () => { ${CALL} })().catch((e) => { console.error(e); process.exit(1) })`])
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), EXPECTED)
})

test('import: a call against the emulator', (t) => {
  const file = path.join(project, 'call.mjs')
  fs.writeFileSync(file, `import cloud from 'wechat-openapi'\n${CALL}\n`)
  const r = node([file])
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), EXPECTED)
})

test('the CLI: npx wechat-openapi call … --emulator', (t) => {
  const r = spawnSync('npx', ['--offline', '--no-install', 'wechat-openapi', 'call', 'logistics.getAllAccount', '--emulator'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 60_000,
  })
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /openapi\.logistics\.getAllAccount:ok/)
})

/** Loads the installed package with process.platform/arch (and no glibc) faked. */
function loadAs(platform, arch) {
  const fake = `
    Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} })
    Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} })
    try { require('wechat-openapi'); console.log('loaded') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`
  const r = node(['-e', fake])
  return r.stdout.trim() === 'loaded' ? 'loaded' : JSON.parse(r.stdout)
}

test('darwin arm64 without its package: one error with the platform, the prebuilt list, the real error and the ways out', (t) => {
  const e = loadAs('darwin', 'arm64')
  t.is(e.code, 'ERR_WECHAT_OPENAPI_NO_BINARY')
  t.log(e.message)
  t.regex(e.message, /^wechat-openapi: no native binary could be loaded for darwin-arm64\./)
  t.regex(e.message, /Detected: os darwin, arch arm64, libc n\/a, Node\.js v\d+/)
  t.regex(e.message, /Prebuilt binaries exist for: linux-x64-gnu, linux-arm64-gnu, linux-x64-musl, linux-arm64-musl, darwin-x64, darwin-arm64, win32-x64-msvc/)
  t.regex(e.message, /wechat-openapi-darwin-arm64: not installed/)
  t.regex(e.message, /npm install wechat-openapi` again without --omit=optional/)
  t.regex(e.message, /npm install wechat-openapi --build-from-source/)
  t.regex(e.message, /WECHAT_OPENAPI_BUILD_FROM_SOURCE=1 npm install wechat-openapi/)
  t.notRegex(e.message, /bug related to optional dependencies/)
})

test('a platform with no prebuilt binary at all says so', (t) => {
  const e = loadAs('freebsd', 'x64')
  t.regex(e.message, /no native binary could be loaded for freebsd-x64/)
  t.regex(e.message, /There is no prebuilt binary for freebsd-x64/)
  t.regex(e.message, /--build-from-source/)
})

test('the install script builds nothing unless asked', (t) => {
  const r = node([path.join(project, 'node_modules', 'wechat-openapi', 'scripts', 'install.js'), 'install'], {
    env: { ...process.env, npm_config_build_from_source: '', WECHAT_OPENAPI_BUILD_FROM_SOURCE: '', CARGO: '/nonexistent/cargo' },
  })
  t.is(r.status, 0, r.stderr)
  t.is(r.stderr, '')
})

test("the README's first call runs as is in the installed project", (t) => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
  const install = readme.slice(readme.indexOf('## Install'))
  const code = /```js\n([\s\S]*?)```/.exec(install)[1]
  t.true(code.includes("require('wechat-openapi')"))
  const file = path.join(project, 'first.js')
  fs.writeFileSync(file, code)
  const r = node([file])
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /errMsg: 'openapi\.logistics\.getAllAccount:ok'/)
  t.regex(r.stdout, /bizId: 'biz1'/)
})

test('a bare npm pack of the working tree is refused (prepack): it would publish a package with no binary', (t) => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-package.js')], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  t.is(r.status, 1)
  t.regex(r.stderr, /prepack: this package would not install and load for its users/)
  t.regex(r.stderr, /optionalDependencies\.wechat-openapi-darwin-arm64: absent, want /)
})
