#!/usr/bin/env node
// An independent gRPC peer for the integration tests: it calls the public API (rakuten.platform.v1) with grpc-js,
// a stack that shares no code with the .NET server or client, so that the tests prove the wire contract and not
// only our own client. It loads the .proto sources at run time (no generated code) and prints one JSON object per
// line on stdout; the C# test reads those lines. See README.md beside this file for the CLI contract.
import { readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs'; // proto-loader's own dependency: used only to decode error details.

const here = dirname(fileURLToPath(import.meta.url));
const UNARY_DEADLINE_MS = 30_000;

// ---- output: one JSON object per line. On Linux a write to a pipe is synchronous, so each line is flushed.
const emit = (obj) => { if (!exiting) process.stdout.write(JSON.stringify(obj) + '\n'); };
let channel, exiting = false;
function finish(code) {
  if (exiting) return; // a late event (an error after "done") must not print or change the exit code
  exiting = true;
  channel?.close();
  process.stdout.write('', () => process.exit(code)); // let the last line drain before exiting
}
function fail(message, code = 1) {
  if (exiting) return;
  emit({ event: 'error', message });
  finish(code);
}
process.on('uncaughtException', (e) => fail(String(e?.stack ?? e)));
process.on('unhandledRejection', (e) => fail(String(e?.stack ?? e)));

// ---- arguments
const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' }, token: { type: 'string' }, tenant: { type: 'string' },
    order: { type: 'string' }, sku: { type: 'string' }, expect: { type: 'string', default: '2' },
    resume: { type: 'string' }, protos: { type: 'string', default: resolve(here, '../../contracts/protos') },
  },
});
const scenario = positionals[0];
const expectCount = Number.parseInt(opt.expect, 10);

// ---- the API, from the .proto sources. keepCase keeps field names as in the .proto (snake_case); longs and enums
// as strings so that int64 versions and enum names survive JSON; defaults so that absent scalars read as 0/"".
const protoFiles = readdirSync(join(opt.protos, 'rakuten/platform/v1'))
  .filter((f) => f.endsWith('.proto')).sort().map((f) => `rakuten/platform/v1/${f}`);
const packageDefinition = protoLoader.loadSync(protoFiles, {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [opt.protos],
});
const api = grpc.loadPackageDefinition(packageDefinition).rakuten.platform.v1;
const SERVICES = ['Orders', 'Holds', 'Inventory', 'Catalog', 'Connections'];
for (const s of SERVICES) if (typeof api[s] !== 'function') throw new Error(`service rakuten.platform.v1.${s} not found`);

// ---- rich error details (google.rpc.Status in the grpc-status-details-bin trailer), decoded from a small inline
// schema: only the fields the peer reads, with the field numbers of google/rpc/status.proto and error_details.proto.
const errorRoot = new protobuf.Root();
protobuf.parse(`syntax = "proto3"; package google.protobuf;
  message Any { string type_url = 1; bytes value = 2; }`, errorRoot, { keepCase: true });
protobuf.parse(`syntax = "proto3"; package google.rpc;
  message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
  message BadRequest {
    message FieldViolation { string field = 1; string description = 2; string reason = 3; }
    repeated FieldViolation field_violations = 1;
  }
  message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }`,
errorRoot, { keepCase: true });
errorRoot.resolveAll();
const RpcStatus = errorRoot.lookupType('google.rpc.Status');
const BadRequest = errorRoot.lookupType('google.rpc.BadRequest');
const ErrorInfo = errorRoot.lookupType('google.rpc.ErrorInfo');

const codeName = (code) => grpc.status[code] ?? String(code);
function describeError(err) {
  const out = { code: err.code, codeName: codeName(err.code), details: err.details ?? err.message, violations: [], errorInfo: null };
  for (const bin of err.metadata?.get('grpc-status-details-bin') ?? []) {
    for (const any of RpcStatus.decode(bin).details) {
      const type = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
      if (type === 'google.rpc.BadRequest') {
        for (const v of BadRequest.decode(any.value).field_violations) out.violations.push({ field: v.field, description: v.description });
      } else if (type === 'google.rpc.ErrorInfo') {
        const info = ErrorInfo.decode(any.value);
        out.errorInfo = { reason: info.reason, domain: info.domain, metadata: { ...info.metadata } };
      }
    }
  }
  return out;
}

// ---- connection: plaintext, one channel shared by every service client; identity in metadata on each call.
function connect() {
  const creds = grpc.credentials.createInsecure();
  channel = new grpc.Channel(opt.url, creds, {});
  return Object.fromEntries(SERVICES.map((s) => [s, new api[s](opt.url, creds, { channelOverride: channel })]));
}
function metadata() {
  const md = new grpc.Metadata();
  if (opt.token) md.set('authorization', `Bearer ${opt.token}`);
  if (opt.tenant) md.set('x-tenant-id', opt.tenant);
  return md;
}
const unaryCall = (client, method, request) => new Promise((ok, ko) =>
  client[method](request, metadata(), { deadline: Date.now() + UNARY_DEADLINE_MS }, (e, r) => (e ? ko(e) : ok(r))));

// Each unary step prints one line, success or failure, and the scenario goes on: the test judges every line.
async function step(label, call, run) {
  try {
    emit({ call, step: label, ok: true, ...(await run()) });
  } catch (err) {
    if (typeof err?.code !== 'number') throw err; // not a gRPC status: a bug here, not a result
    emit({ call, step: label, ok: false, ...describeError(err) });
  }
}
// Pages through a List method with page_size 1 until next_page_token is "", so that paging itself is exercised.
async function pageAll(client, method, field, request = {}) {
  const items = [];
  let pages = 0, page_token = '';
  do {
    if (++pages > 10_000) throw new Error(`${method}: more than 10000 pages, the page token does not advance`);
    const res = await unaryCall(client, method, { ...request, page_size: 1, page_token });
    items.push(...res[field]);
    page_token = res.next_page_token;
  } while (page_token !== '');
  return { pages, items };
}

const skuName = (sku) => `skus/${encodeURIComponent(sku)}`;

async function unary() {
  if (!opt.order || opt.sku === undefined) return fail('unary needs --order orders/{id} and --sku SKU', 2);
  const c = connect();
  await step('get-order', 'Orders.GetOrder', async () => {
    const o = await unaryCall(c.Orders, 'GetOrder', { name: opt.order });
    return { name: o.name, status: o.status, channel_order_id: o.channel_order_id, lines: o.lines.length };
  });
  await step('list-orders', 'Orders.ListOrders', async () => {
    const { pages, items } = await pageAll(c.Orders, 'ListOrders', 'orders');
    return { pages, names: items.map((o) => o.name) };
  });
  await step('get-order-malformed-name', 'Orders.GetOrder', async () => {
    const o = await unaryCall(c.Orders, 'GetOrder', { name: 'orders/not-a-uuid' });
    return { name: o.name };
  });
  await step('get-order-unknown', 'Orders.GetOrder', async () => {
    const o = await unaryCall(c.Orders, 'GetOrder', { name: `orders/${randomUUID()}` });
    return { name: o.name };
  });
  await step('get-order-timeline', 'Orders.GetOrderTimeline', async () => {
    const { events } = await unaryCall(c.Orders, 'GetOrderTimeline', { name: opt.order });
    return { events: events.length, types: events.map((e) => e.type) };
  });
  await step('list-holds', 'Holds.ListHolds', async () => ({ holds: (await unaryCall(c.Holds, 'ListHolds', {})).holds.length }));
  await step('get-availability', 'Inventory.GetAvailability', async () => {
    const a = await unaryCall(c.Inventory, 'GetAvailability', { name: skuName(opt.sku) });
    return { sku: a.sku, locations: a.locations.length, channels: a.channels.length, reserved: a.reserved };
  });
  await step('batch-get-availability', 'Inventory.BatchGetAvailability', async () => {
    const { availabilities } = await unaryCall(c.Inventory, 'BatchGetAvailability', { names: [skuName(opt.sku), 'skus/NO-SUCH-SKU'] });
    return { found: availabilities.map((a) => a.found), skus: availabilities.map((a) => a.sku) };
  });
  await step('batch-get-availability-too-many', 'Inventory.BatchGetAvailability', async () => {
    const names = Array.from({ length: 1001 }, (_, i) => `skus/PEER-${i}`);
    return { count: (await unaryCall(c.Inventory, 'BatchGetAvailability', { names })).availabilities.length };
  });
  await step('list-listings', 'Catalog.ListListings', async () => {
    const { pages, items } = await pageAll(c.Catalog, 'ListListings', 'listings');
    return { pages, count: items.length };
  });
  await step('list-connections', 'Connections.ListConnections', async () => {
    const { connections } = await unaryCall(c.Connections, 'ListConnections', {});
    // With defaults: true every declared field is a key, so this is what this peer's schema reads off the wire.
    const keys = [...new Set(connections.flatMap((x) => Object.keys(x)))].sort();
    return { count: connections.length, channels: connections.map((x) => x.channel), keys };
  });
  finish(0);
}

// ---- streams. A message without the resource (the first one of a watch without a token) only carries a token.
function openStream(client, method, request, onMessage) {
  const call = client[method](request, metadata());
  let cancelled = false;
  call.on('data', (m) => { if (!cancelled) onMessage(m); });
  call.on('error', (err) => {
    if (cancelled) return; // our own cancel() ends the call with CANCELLED: that is the disconnect, not a failure
    const { violations, errorInfo, ...status } = describeError(err);
    emit({ event: 'stream-error', ...status, violations, errorInfo });
    // A refused --resume token is the expected outcome of that one-shot; anything else is a failure.
    finish(opt.resume !== undefined ? 0 : 1);
  });
  call.on('end', () => { if (!cancelled) fail(`${method} ended before ${expectCount} changes`); });
  return { cancel: () => { cancelled = true; call.cancel(); } };
}

function waitForGo() {
  return new Promise((ok, ko) => {
    const rl = createInterface({ input: process.stdin });
    let went = false;
    rl.on('line', (line) => { if (line.trim() === 'go') { went = true; rl.close(); ok(); } });
    rl.on('close', () => { if (!went) ko(new Error('stdin closed before "go"')); });
  });
}

const availabilityChange = (m) => ({
  event: 'change', token: m.resume_token, sku: m.availability.sku, name: m.availability.name,
  locations: m.availability.locations.map((l) => ({ location_id: l.location_id, available: l.available })),
  reserved: m.availability.reserved,
});

async function watch() {
  if (opt.sku === undefined) return fail('watch needs --sku SKU', 2);
  const c = connect();
  const names = [skuName(opt.sku)];
  // Second half (and the --resume one-shot): print changes until --expect of them arrived, then done.
  const resumeFrom = (resume_token) => {
    let changes = 0;
    const s = openStream(c.Inventory, 'WatchAvailability', { resume_token, names }, (m) => {
      if (!m.availability) return emit({ event: 'token', token: m.resume_token });
      emit(availabilityChange(m));
      if (++changes >= expectCount) { s.cancel(); emit({ event: 'done' }); finish(0); }
    });
  };
  if (opt.resume !== undefined) return resumeFrom(opt.resume);

  // First half: watch from now, take one change, disconnect, and wait until the test made changes we missed.
  let lastToken = null, first = true;
  const s = openStream(c.Inventory, 'WatchAvailability', { resume_token: '', names }, (m) => {
    lastToken = m.resume_token;
    if (first && !m.availability) { first = false; return emit({ event: 'ready', token: lastToken }); }
    first = false;
    if (!m.availability) return emit({ event: 'token', token: lastToken });
    emit(availabilityChange(m));
    s.cancel();
    emit({ event: 'disconnected', token: lastToken });
    waitForGo().then(() => resumeFrom(lastToken), (e) => fail(e.message));
  });
}

async function watchOrders() {
  const c = connect();
  let changes = 0;
  const s = openStream(c.Orders, 'WatchOrders', { resume_token: opt.resume ?? '' }, (m) => {
    if (!m.order) return emit({ event: changes === 0 ? 'ready' : 'token', token: m.resume_token });
    emit({ event: 'change', token: m.resume_token, name: m.order.name, status: m.order.status });
    if (++changes >= expectCount) { s.cancel(); emit({ event: 'done' }); finish(0); }
  });
}

// Lists what the loaded schema offers, without any network: a check that the protos load and every service resolves.
function describe() {
  const services = Object.fromEntries(SERVICES.map((s) => [`rakuten.platform.v1.${s}`, Object.keys(api[s].service)]));
  emit({ event: 'services', services });
  finish(0);
}

const scenarios = { unary, watch, 'watch-orders': watchOrders, describe };
if (!scenarios[scenario]) fail(`usage: peer.mjs <${Object.keys(scenarios).join('|')}> --url HOST:PORT [--token T] [--tenant GUID] ...`, 2);
else if (!Number.isInteger(expectCount) || expectCount < 1) fail('--expect must be a positive integer', 2);
else if (!opt.url && scenario !== 'describe') fail('--url HOST:PORT is required', 2);
else await scenarios[scenario]();
