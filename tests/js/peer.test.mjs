// PeerLink without a page: perfect negotiation and ICE candidates, against a fake RTCPeerConnection.

import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { PeerLink } from "../../static/js/meeting/peer.js";
import { FakeRTCPeerConnection, installBrowser, settle, until } from "./fakes.mjs";

beforeEach(() => {
  installBrowser();
});

/** Two links wired to each other; what one sends reaches the other in a later task, like a relay. */
function pair() {
  const links = {};
  const sent = { polite: [], impolite: [] };
  const make = (name, other, polite) =>
    new PeerLink({
      peerId: other,
      polite,
      iceServers: [],
      localTracks: () => [null, null, null],
      budget: null,
      sendSignal: (signal) => {
        sent[name].push(signal);
        setTimeout(() => links[other].handleSignal(structuredClone(signal)), 0);
      },
    });
  links.polite = make("polite", "impolite", true);
  links.impolite = make("impolite", "polite", false);
  return { links, sent };
}

const offersIn = (signals) => signals.filter((s) => s.description?.type === "offer").length;
const answersIn = (signals) => signals.filter((s) => s.description?.type === "answer").length;

test("on glare the polite peer rolls back its offer and answers the other one", async () => {
  const { links, sent } = pair();

  links.polite.initiate(); // both start the call at the same moment: two offers cross
  links.impolite.initiate();
  await until(
    () => links.polite.pc.signalingState === "stable" && links.impolite.pc.signalingState === "stable"
      && answersIn(sent.polite) === 1,
    "both sides to be stable again",
  );

  assert.equal(offersIn(sent.polite), 1);
  assert.equal(offersIn(sent.impolite), 1);
  assert.equal(links.polite.pc.rollbacks, 1, "the polite peer rolled its own offer back");
  assert.equal(links.impolite.pc.rollbacks, 0, "the impolite peer kept its offer");
  assert.equal(answersIn(sent.impolite), 0, "the impolite peer ignored the polite one's offer");
  assert.equal(links.impolite.pc.remoteDescription.type, "answer");
  assert.equal(links.polite.pc.localDescription.type, "answer");
  assert.equal(links.impolite.pc.connectionState, "connected");
});

test("without a collision the polite peer's offer is answered as usual", async () => {
  const { links, sent } = pair();

  links.polite.initiate();
  await until(() => answersIn(sent.impolite) === 1, "the answer");
  await until(() => links.polite.pc.signalingState === "stable", "the polite side to be stable");

  assert.equal(links.polite.pc.rollbacks, 0);
  assert.equal(offersIn(sent.impolite), 0);
  assert.equal(links.polite.pc.connectionState, "connected");
});

test("candidates that arrive before the description wait for it, then are added in order", async () => {
  const link = new PeerLink({
    peerId: "far",
    polite: true,
    iceServers: [],
    localTracks: () => [null, null, null],
    budget: null,
    sendSignal: () => {},
  });
  const early = [1, 2].map((n) => ({ candidate: `candidate:${n} 1 udp 1 10.0.0.${n} 9 typ host`, sdpMid: "0" }));

  for (const candidate of early) await link.handleSignal({ candidate });
  assert.deepEqual(link.pc.candidates, [], "nothing is added before there is a remote description");

  const offer = { type: "offer", sdp: JSON.stringify({ slots: ["audio", "video", "video"] }) };
  await link.handleSignal({ description: offer });
  assert.deepEqual(link.pc.candidates, early);

  const late = { candidate: "candidate:3 1 udp 1 10.0.0.3 9 typ host", sdpMid: "0" };
  await link.handleSignal({ candidate: late });
  assert.deepEqual(link.pc.candidates, [...early, late], "later ones go straight in");
});

test("a link made ahead keeps its offer and candidates until it meets its peer, then sends them in order", async () => {
  const link = new PeerLink({ iceServers: [], localTracks: () => [null, null, null], budget: null });
  link.initiate();
  await until(() => link.outbox.length === 2, "the offer and a candidate");

  const sent = [];
  await link.attach({ peerId: "far", polite: false, sendSignal: (signal) => sent.push(signal) });
  await settle();

  assert.equal(sent[0].description.type, "offer");
  assert.ok(sent[1].candidate.candidate.startsWith("candidate:"));
  assert.equal(FakeRTCPeerConnection.made.length, 1, "no second connection was made");
});
