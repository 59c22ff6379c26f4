// Drives the real Neo4j Browser in the system's headless Chromium (never a downloaded
// browser) for tests/integration/test_browser.py:
//   log in -> load cibgraph's style from its URL -> play the guide and click a runnable
//   block -> run a library query as its :param lines + Cypher -> read what the result
//   frame shows (node count, fill colours, captions) -> screenshot.
//
// Usage: node browser_check.mjs CONFIG.json   (the password travels in the file, not argv)
// Prints one JSON document on stdout; exits 1 with {"error": ...} when a step fails.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const timeout = config.timeoutMs ?? 60000
const executablePath = config.chromium ?? '/usr/bin/chromium'

// Without the background-networking flags Chromium waits on a network this machine
// does not have; a fresh profile keeps Browser's saved state out of the test.
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cib-chromium-'))
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const result = { steps: [] }
let context
let page

function step(name, detail = {}) {
  result.steps.push({ name, ...detail })
}

async function run(command) {
  // insertText types the whole command as one input, so Monaco's auto-closing of
  // brackets and quotes (which fires on typed keys) does not add characters.
  await page.click('#monaco-main-editor')
  await page.keyboard.press('Control+A')
  await page.keyboard.press('Delete')
  await page.keyboard.insertText(command)
  await page.click('[data-testid="editor-Run"]')
}

async function latestFrame() {
  return page.locator('[data-testid="frame"]').first()
}

try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args,
    viewport: { width: 1400, height: 1000 },
  })
  page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(timeout)

  await page.goto(config.browserUrl, { waitUntil: 'domcontentloaded' })
  await page.waitForSelector('input[data-testid="boltaddress"]')
  await page.fill('input[data-testid="boltaddress"]', config.boltUrl)
  await page.fill('input[data-testid="username"]', config.user)
  await page.fill('input[data-testid="password"]', config.password)
  await page.click('button[data-testid="connect"]')
  await page.getByText('You are connected as user', { exact: false }).waitFor()
  step('connected')

  await run(`:style ${config.styleUrl}`)
  await (await latestFrame()).getByText('node.Account', { exact: false }).first().waitFor()
  step('style loaded', { url: config.styleUrl })

  await run(`:play ${config.guideUrl}`)
  const guide = await latestFrame()
  await guide.getByText(config.guideTitle, { exact: false }).first().waitFor()
  // A runnable block puts its code into the editor when clicked.
  const block = guide.locator('pre.runnable').first()
  const code = (await block.innerText()).trim()
  await block.click()
  const editor = (await page.locator('#monaco-main-editor').innerText()).replace(/\s+/g, ' ')
  step('guide played', { firstBlock: code, editorAfterClick: editor.trim() })

  for (const line of config.paramLines) {
    await run(line)
    await (await latestFrame()).getByText('"' + line.split(' ')[1] + '"', { exact: false }).first().waitFor()
  }
  await run(config.query)
  const frame = await latestFrame()
  const summary = frame.getByText(/Displaying \d+ nodes?/).first()
  await summary.waitFor()
  // Let the force layout settle before the picture.
  await page.waitForTimeout(config.settleMs ?? 2500)
  const displaying = (await summary.innerText()).trim()
  const nodes = await frame.evaluate((element) =>
    [...element.querySelectorAll('svg g.node')].map((g) => ({
      fill: g.querySelector('circle.b-outline')?.getAttribute('fill') ?? null,
      caption: [...g.querySelectorAll('text.caption')].map((t) => t.textContent.trim()),
    })),
  )
  await frame.screenshot({ path: config.screenshot })
  step('query shown', { displaying })
  Object.assign(result, { displaying, nodes, screenshot: config.screenshot })
  process.stdout.write(JSON.stringify(result) + '\n')
  await context.close()
  fs.rmSync(profile, { recursive: true, force: true })
  process.exit(0)
} catch (error) {
  result.error = String(error && error.stack ? error.stack : error)
  if (page && config.failureScreenshot) {
    await page.screenshot({ path: config.failureScreenshot, fullPage: true }).catch(() => {})
    result.screenshot = config.failureScreenshot
  }
  process.stdout.write(JSON.stringify(result) + '\n')
  if (context) await context.close().catch(() => {})
  fs.rmSync(profile, { recursive: true, force: true })
  process.exit(1)
}
