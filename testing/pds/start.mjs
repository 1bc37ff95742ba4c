// A real Bluesky PDS (and its PLC directory) for Coro's tests, on loopback only.
//
//   node start.mjs <pds port> <plc port> <data directory>
//
// Prints one JSON line ({"pds": url, "plc": url}) once both answer, then runs until it is
// sent SIGTERM or SIGINT. Every start is a clean network: the PLC lives in memory and the
// PDS keeps its data in the given (temporary) directory. Started by testing/bluesky.py.
//
// It never reaches beyond this machine:
// - dev-env's servers call listen(port) with no host, i.e. on every interface: every listen
//   is bound to 127.0.0.1 here;
// - the PDS's AppView and moderation service default to outside names: they point at a dead
//   loopback port, so app.bsky.* calls fail fast with 502;
// - any outgoing connection to anything but loopback is refused (a guard, should a default
//   we missed try to).
import fs from 'node:fs'
import net from 'node:net'

const LOOPBACK = '127.0.0.1'
const DEAD = 'http://127.0.0.1:9'

const originalListen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const [first] = args
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] === 'string') args[1] = LOOPBACK
    else args.splice(1, 0, LOOPBACK)
  } else if (first && typeof first === 'object' && first.path === undefined && !first._handle) {
    args[0] = { ...first, host: LOOPBACK }
  }
  return originalListen.apply(this, args)
}

const isLoopback = (host) =>
  host === undefined ||
  host === 'localhost' ||
  host === '::1' ||
  host === '[::1]' ||
  /^127\.\d+\.\d+\.\d+$/.test(host)

const originalConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  const options = args[0] && typeof args[0] === 'object' && !Array.isArray(args[0]) ? args[0] : null
  const host = options ? options.host : typeof args[1] === 'string' ? args[1] : undefined
  if (!(options && options.path) && !isLoopback(host)) {
    const error = new Error(`test PDS: refused to connect outside loopback (${host})`)
    process.nextTick(() => this.destroy(error))
    return this
  }
  return originalConnect.apply(this, args)
}

const [pdsPort, plcPort, dataDirectory] = process.argv.slice(2)
if (!pdsPort || !plcPort || !dataDirectory) {
  console.error('usage: node start.mjs <pds port> <plc port> <data directory>')
  process.exit(2)
}
const blobs = `${dataDirectory}/blobs`
fs.mkdirSync(blobs, { recursive: true }) // dev-env does not create these

const { TestNetworkNoAppView } = (await import('@atproto/dev-env')).default

const network = await TestNetworkNoAppView.create({
  plc: { port: Number(plcPort) },
  pds: {
    port: Number(pdsPort),
    dataDirectory,
    blobstoreDiskLocation: blobs,
    bskyAppViewUrl: DEAD,
    bskyAppViewCdnUrlPattern: `${DEAD}/%s/%s/%s`,
    modServiceUrl: DEAD,
  },
})

console.log(JSON.stringify({ pds: network.pds.url, plc: network.plc.url }))

let closing = false
const stop = async () => {
  if (closing) return
  closing = true
  try {
    await network.close()
  } finally {
    process.exit(0)
  }
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
