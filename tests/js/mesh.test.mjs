// Several Calls in one mesh, through a miniature signaling server: the MeshTransport end to end.

import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";

import { Call } from "../../static/js/meeting/call.js";
import { FakeServer, FakeWebSocket, installBrowser, noMedia, until } from "./fakes.mjs";

let calls = [];

beforeEach(() => {
  installBrowser();
  FakeWebSocket.server = new FakeServer();
  calls = [];
});

afterEach(() => {
  for (const call of calls) call.leave();
});

function person() {
  const call = new Call({ ticketUrl: "/m/abc-defg-hij/ticket/", csrfToken: "csrf", media: noMedia() });
  call.tracksFrom = new Map(); // peer ID -> slots of the remote tracks this call received
  call.on("track", (peerId, slot) => {
    if (!call.tracksFrom.has(peerId)) call.tracksFrom.set(peerId, new Set());
    call.tracksFrom.get(peerId).add(slot);
  });
  calls.push(call);
  return call;
}

const seesEveryone = (call, others) =>
  call.peers.size === others
  && [...call.peers.values()].every((peer) => peer.linkState === "connected")
  && [...call.peers.keys()].every((peerId) => call.tracksFrom.get(peerId)?.size === 3);

test("six people who press Join one right after the other each receive the five others", async () => {
  const people = Array.from({ length: 6 }, person);
  people.forEach((call, index) => call.prepare(`Person ${index + 1}`));
  await until(() => people.every((call) => call.transport.prepared.length >= 1), "everyone prepared");

  await Promise.all(people.map((call, index) => call.join(`Person ${index + 1}`)));

  await until(() => people.every((call) => seesEveryone(call, 5)), "a full mesh");
  for (const call of people) {
    assert.equal(call.transport.links.size, 5);
    assert.equal(call.transport.prepared.length, 0, "links made ahead were used or closed");
  }
  const sent = FakeWebSocket.made.map((socket) => socket.sentTypes());
  assert.ok(sent.every((types) => types[0] === "join"), "every join went out on the held socket");
});

test("people who join one at a time each receive everyone already there", async () => {
  const people = [];
  for (let index = 0; index < 4; index += 1) {
    const call = person();
    people.push(call);
    call.prepare(`Person ${index + 1}`);
    await until(() => call.transport.prepared.length === Math.max(1, index), `person ${index + 1} prepared`);
    await call.join(`Person ${index + 1}`);
    await until(() => people.every((other) => seesEveryone(other, index)), `a mesh of ${index + 1}`);
  }
});
