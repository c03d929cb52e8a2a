// Call, SignalingClient and MeshTransport together without a page: the test plays the server on a
// fake WebSocket, and the connections are fake RTCPeerConnections.

import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";

import { Call } from "../../static/js/meeting/call.js";
import {
  FakeRTCPeerConnection,
  FakeWebSocket,
  installBrowser,
  noMedia,
  settle,
  until,
  welcome,
} from "./fakes.mjs";

let tickets;
let call;

beforeEach(() => {
  tickets = installBrowser();
  call = new Call({ ticketUrl: "/m/abc-defg-hij/ticket/", csrfToken: "csrf", media: noMedia() });
});

afterEach(() => {
  call.leave(); // stops the heartbeat and reconnect timers
  mock.restoreAll();
});

async function nextSocket(count) {
  await until(() => FakeWebSocket.made.length === count, `socket number ${count}`);
  return FakeWebSocket.made[count - 1];
}

/** The resume token a socket presents: its first frame, a `resume` (docs/signaling.md, Resume). */
function presentedResumeToken(socket) {
  const first = socket.sent[0];
  return first?.type === "resume" ? first.token : null;
}

/** On the pre-join page: a socket held for `name`, answered with `held` for `peerCount` people. */
async function holdFor(name, peerCount) {
  call.prepare(name);
  const socket = await nextSocket(1);
  assert.equal(socket.url.searchParams.get("hold"), "1");
  socket.open();
  socket.receive({ type: "held", ice_servers: [], peer_count: peerCount, heartbeat_interval: 10 });
  return socket;
}

const prepared = () => call.transport.prepared;
const offersReady = () => prepared().every((link) => link.pc.localDescription?.type === "offer");

test("a peer-count change on the pre-join page adds connections and closes the ones no longer needed", async () => {
  await holdFor("Early Erin", 2);
  assert.equal(prepared().length, 2);
  await until(offersReady, "two offers");
  const [first, second] = prepared().map((link) => link.pc);

  call.signaling.holding.socket.receive({ type: "peer-count", peer_count: 3 });
  assert.equal(prepared().length, 3);
  assert.deepEqual(prepared().slice(0, 2).map((link) => link.pc), [first, second], "the first two are kept");

  call.signaling.holding.socket.receive({ type: "peer-count", peer_count: 1 });
  assert.equal(prepared().length, 1);
  assert.equal(prepared()[0].pc, first);
  assert.equal(FakeRTCPeerConnection.made.filter((pc) => pc.closed).length, 2, "the other two are closed");

  call.signaling.holding.socket.receive({ type: "peer-count", peer_count: 0 });
  assert.equal(prepared().length, 1, "one stays ready: someone may arrive before Join");
});

test("join sends the offers made ahead on the held socket, and closes the connections nobody takes", async () => {
  const socket = await holdFor("Early Erin", 2);
  await until(offersReady, "two offers");
  const [ready, spare] = prepared().map((link) => link.pc);

  await call.join("Early Erin");
  assert.deepEqual(socket.sentTypes(), ["join"]);
  socket.receive(welcome("p-erin", ["p-host"]));
  await settle();

  assert.equal(FakeWebSocket.made.length, 1, "the held socket carried the join");
  assert.equal(tickets.requests, 1);
  const signal = socket.sent.find((message) => message.type === "signal");
  assert.equal(signal.to, "p-host");
  assert.equal(signal.description.sdp, ready.localDescription.sdp, "the offer made ahead went out");
  assert.equal(call.transport.links.get("p-host").pc, ready);
  assert.ok(spare.closed);
  assert.equal(FakeRTCPeerConnection.made.length, 2, "no connection was made after Join");
});

test("after a dropped socket the call resumes as the same peer and keeps its connections", async () => {
  mock.method(Math, "random", () => 0); // the shortest backoff: 250 ms
  await call.join("Gus");
  const first = await nextSocket(1);
  assert.equal(first.url.searchParams.get("ticket"), "ticket-1");
  first.open();
  first.receive(welcome("p-gus", ["p-host"], { resumeToken: "resume-gus" }));
  await until(() => call.transport.links.get("p-host")?.pc.localDescription, "the offer to the host");
  const link = call.transport.links.get("p-host");
  const events = [];
  for (const event of ["reconnecting", "reconnected", "peer-removed", "welcome"]) {
    call.on(event, () => events.push(event));
  }

  first.drop(1006); // the network went away
  assert.deepEqual(events, ["reconnecting"]);
  const second = await nextSocket(2);
  second.open();
  await settle();
  assert.equal(presentedResumeToken(second), "resume-gus");
  assert.ok(!second.url.href.includes("resume-gus"), "the token stays out of the URL (proxies log URLs)");
  assert.equal(tickets.requests, 1, "a resume needs no new ticket");
  second.receive(welcome("p-gus", ["p-host"], { resumeToken: "resume-gus" }));
  await settle();

  assert.deepEqual(events, ["reconnecting", "reconnected"]);
  assert.equal(call.transport.links.get("p-host"), link, "the same connection carries on");
  assert.equal(link.pc.closed, false);
  assert.equal(call.self.peer_id, "p-gus");
});

test("when the place is gone (4006) the call joins again as a new peer with new connections", async () => {
  mock.method(Math, "random", () => 0);
  await call.join("Gus");
  const first = await nextSocket(1);
  first.open();
  first.receive(welcome("p-gus", ["p-host"]));
  await until(() => call.transport.links.has("p-host"), "the link to the host");
  const oldLink = call.transport.links.get("p-host");

  first.drop(1006);
  const second = await nextSocket(2);
  second.open();
  second.drop(4006); // RESUME_FAILED
  const third = await nextSocket(3);

  assert.equal(third.url.searchParams.get("ticket"), "ticket-2");
  assert.equal(presentedResumeToken(third), null);
  assert.ok(oldLink.pc.closed, "the old calls are closed");
  third.open();
  third.receive(welcome("p-gus-2", ["p-host"]));
  await until(() => call.transport.links.get("p-host")?.pc.localDescription, "a new offer to the host");
  assert.notEqual(call.transport.links.get("p-host"), oldLink);
});

test("a final close code ends the call instead of reconnecting", async () => {
  await call.join("Gus");
  const socket = await nextSocket(1);
  socket.open();
  const finished = [];
  call.on("finished", (kind, message) => finished.push([kind, message.code]));

  socket.drop(4103); // ROOM_FULL
  await settle(20);

  assert.deepEqual(finished, [["closed", 4103]]);
  assert.equal(FakeWebSocket.made.length, 1);
});

test("a bigger call shrinks every camera copy, but only once the newcomer's connection is up", async () => {
  await call.join("Gus");
  const socket = await nextSocket(1);
  socket.open();
  socket.receive(welcome("p-gus", ["p-a", "p-b"]));
  await until(() => socket.sent.filter((m) => m.description?.type === "offer").length === 2, "two offers");
  for (const from of ["p-a", "p-b"]) {
    socket.receive({ type: "signal", from, description: { type: "answer", sdp: "{}" } });
  }
  const cameraCopy = (peerId) =>
    call.transport.links.get(peerId).pc.getTransceivers()[1].sender.parameters.encodings[0];
  const up = (peerId) => call.peers.get(peerId).linkState === "connected";
  await until(() => up("p-a") && up("p-b"), "both connections up");
  assert.deepEqual([cameraCopy("p-a"), cameraCopy("p-b")], Array(2).fill({ scaleResolutionDownBy: 1, maxFramerate: 24 }));

  socket.receive({ type: "peer-joined", peer: { peer_id: "p-c", name: "C", role: "guest", media: {} } });
  await settle(20);
  assert.equal(cameraCopy("p-a").scaleResolutionDownBy, 1, "nothing changes while p-c is connecting");

  const offer = { type: "offer", sdp: JSON.stringify({ slots: ["audio", "video", "video"] }) };
  socket.receive({ type: "signal", from: "p-c", description: offer });
  await until(() => cameraCopy("p-a").scaleResolutionDownBy === 1.5, "the copy to p-a to shrink");
  assert.deepEqual(cameraCopy("p-b"), { scaleResolutionDownBy: 1.5, maxFramerate: 20 });

  socket.receive({ type: "peer-left", peer_id: "p-c", reason: "left" });
  await until(() => cameraCopy("p-a").scaleResolutionDownBy === 1, "the copies to grow back at once");
});
