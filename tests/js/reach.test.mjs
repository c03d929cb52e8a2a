// Why a link cannot connect, and when a TURN credential needs renewing: peer.js's rules, without a page.

import assert from "node:assert/strict";
import { test } from "node:test";

import { credentialsExpireSoon, reachProblem } from "../../static/js/meeting/peer.js";

const TURN = [{ urls: ["turn:turn.example.org:3478"], username: "2000000000:ab12", credential: "x" }];
const STUN_ONLY = [{ urls: "stun:stun.example.org:3478" }];
const quiet = { relayCandidates: 0, gatheringDone: false, candidateErrors: [], failed: false, overdue: false };

test("a link still trying has no problem", () => {
  assert.equal(reachProblem({ ...quiet, iceServers: TURN }), null);
  assert.equal(reachProblem({ ...quiet, iceServers: [] }), null);
});

test("without a relay, a failed or overdue link is blocked and no relay is configured", () => {
  assert.equal(reachProblem({ ...quiet, iceServers: [], failed: true }), "no-relay");
  assert.equal(reachProblem({ ...quiet, iceServers: STUN_ONLY, overdue: true }), "no-relay");
});

test("a TURN error with no relay candidate is known at once, before any deadline", () => {
  const seen = {
    ...quiet,
    iceServers: TURN,
    gatheringDone: true,
    candidateErrors: [{ url: "turn:turn.example.org:3478?transport=udp", code: 401 }],
  };
  assert.equal(reachProblem(seen), "relay-refused");
});

test("a relay that does not answer is told apart from one that refuses", () => {
  const seen = {
    ...quiet,
    iceServers: TURN,
    gatheringDone: true,
    candidateErrors: [{ url: "turn:turn.example.org:3478?transport=udp", code: 701 }],
  };
  assert.equal(reachProblem(seen), "relay-unreachable");
  assert.equal(reachProblem({ ...seen, candidateErrors: [] }), null);
  assert.equal(reachProblem({ ...seen, candidateErrors: [], overdue: true }), "relay-unreachable");
});

test("a relay candidate and still no connection means no route, once overdue", () => {
  const seen = { ...quiet, iceServers: TURN, relayCandidates: 2, gatheringDone: true };
  assert.equal(reachProblem(seen), null);
  assert.equal(reachProblem({ ...seen, overdue: true }), "no-route");
});

test("a STUN error alone does not blame the relay", () => {
  const seen = {
    ...quiet,
    iceServers: TURN,
    relayCandidates: 1,
    gatheringDone: true,
    candidateErrors: [{ url: "stun:stun.example.org:3478", code: 701 }],
  };
  assert.equal(reachProblem(seen), null);
});

test("credentials expire soon within the margin, not before", () => {
  const expiry = 2_000_000_000;
  assert.equal(credentialsExpireSoon(TURN, expiry - 3600), false);
  assert.equal(credentialsExpireSoon(TURN, expiry - 599), true);
  assert.equal(credentialsExpireSoon(TURN, expiry + 10), true);
  assert.equal(credentialsExpireSoon(STUN_ONLY, expiry), false);
  assert.equal(credentialsExpireSoon([{ urls: "turn:x", username: "static-user", credential: "p" }], expiry), false);
});
