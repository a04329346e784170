import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;

/**
 * History ⇄ proto JSON (the form `temporal workflow show --output json` writes).
 *
 * Why not @temporalio/common's historyToJSON / historyFromJSON: with this package-lock, npm gives
 * @temporalio/common and @temporalio/proto each their own copy of protobufjs 8 (a top-level
 * protobufjs 7 from @grpc/proto-loader blocks the dedupe), and protojson from common's copy rejects
 * proto's types with "type must be a Type". Taking protojson from the copy @temporalio/proto itself
 * loads keeps both sides on one instance, whatever npm's layout.
 */
const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson: ProtoJson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] }));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const historyType = (patchProtobufRoot(proto) as any).lookupType('temporal.api.history.v1.History');

export function historyToJSON(history: History): string {
  const json = protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));
  return `${JSON.stringify(json, null, 2)}\n`;
}

export function historyFromJSON(json: unknown): History {
  const events = (json as { events?: unknown } | null)?.events;
  if (!Array.isArray(events) || events.length === 0)
    throw new TypeError('not a history: expected an object with a non-empty "events" array');
  // Unknown fields are tolerated: a history written by a newer server still loads.
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as unknown as History;
}
