// The mesh: media straight between browsers, one PeerLink (RTCPeerConnection) to each other person.
// It is one media transport: Call sends and receives media only through the interface below, which
// a transport through a media server (an SFU) implements too. No DOM here.

import { Emitter } from "./events.js";
import { PeerLink } from "./peer.js";

/** No more connections made ahead than a call can have others (8 people at most). */
const MAX_PREPARED_LINKS = 7;

/**
 * @typedef {{scale: number, fps: number}} QualityBudget  how much camera video each copy carries
 * @typedef {{framesDecoded: number, audioSamples: number, screenFrames: number}} MediaSummary
 */

/**
 * What Call needs from a way of carrying media. It tells Call of remote media with events:
 * "track" (peerId, slot, track) for each track a peer sends, by slot (peer.js SLOT_*),
 * "state" (peerId, state) for the connection that carries a peer's media ("new", "connecting",
 * "connected", "disconnected", "failed"), and "reach" (peerId, problem) when that connection cannot
 * be made and why (peer.js reachProblem), or null once it can.
 * @typedef {object} MediaTransport
 * @property {(options: {iceServers: RTCIceServer[], iceTransportPolicy?: RTCIceTransportPolicy,
 *   peerCount: number}) => void} prepare
 *   Before Join: get ready for a call with peerCount others (called again when the count changes).
 * @property {(options: {selfId: string, iceServers: RTCIceServer[], iceTransportPolicy?: RTCIceTransportPolicy,
 *   peerIds: string[]}) => void} publish
 *   Joined as selfId: send my tracks to the call and receive the others'. "relay" policy: the
 *   meeting hides network addresses, so only relayed paths are tried.
 * @property {(peerId: string) => void} addPeer  someone joined the call
 * @property {(peerId: string) => void} removePeer  someone left: stop exchanging media with them
 * @property {(peerId: string, signal: object) => Promise<void>} handleSignal  a signal relayed from a peer
 * @property {(slot: number, track: MediaStreamTrack|null) => Promise<void>} replaceTrack
 * @property {(budget: QualityBudget) => void} setQualityBudget
 * @property {(peerId: string) => void} restart  a peer is back after a dropped socket: renegotiate what it missed
 * @property {(iceServers: RTCIceServer[]) => void} setIceServers  for connections made from now on
 * @property {() => Promise<Object<string, MediaSummary>>} stats  by peer ID
 * @property {() => void} close
 */

/** @implements {MediaTransport} */
export class MeshTransport extends Emitter {
  /**
   * @param {object} options
   * @param {() => (MediaStreamTrack|null)[]} options.localTracks  [microphone, camera, screen] now,
   *   read whenever a connection needs them
   * @param {(peerId: string, signal: object) => void} options.sendSignal  relays a signal to a peer
   * @param {() => Promise<RTCIceServer[]|null>} [options.freshIceServers]  new TURN credentials
   *   before an ICE restart, or null to keep the current ones
   */
  constructor({ localTracks, sendSignal, freshIceServers }) {
    super();
    this.localTracks = localTracks;
    this.sendSignal = sendSignal;
    this.freshIceServers = freshIceServers || (async () => null);
    /** @type {RTCIceTransportPolicy} */
    this.iceTransportPolicy = "all";
    this.selfId = null;
    /** @type {RTCIceServer[]} */
    this.iceServers = [];
    /** @type {Map<string, PeerLink>} */
    this.links = new Map();
    /** Peers announced whose first offer/answer exchange is not complete yet. */
    this.connecting = new Set();
    /** @type {PeerLink[]} connections made ahead on the pre-join page (prepare) */
    this.prepared = [];
    this.preparedIceServers = null;
    /** @type {QualityBudget|null} null: full size at the camera's rate */
    this.budget = null;
  }

  /**
   * On the pre-join page (the socket is held): make a connection, with its offer, for each person
   * in the call now, and at least one (someone may arrive before we join). A newcomer offers to
   * everyone already in the call and an offer does not depend on who gets it, so each waits in its
   * link, with its ICE candidates, until publish() names a peer. Join then sends ready offers
   * instead of making them: making one blocks the page on WebRTC's threads, longest when the call
   * is big and the computer busy. The server tells a held socket of each change in the count
   * ("peer-count"), so links follow the call while the person looks at their preview; other ICE
   * servers discard them, and links nobody takes are closed by publish().
   */
  prepare({ iceServers, iceTransportPolicy = "all", peerCount }) {
    if (this.selfId) return;
    if (!sameJson(this.preparedIceServers, iceServers) || iceTransportPolicy !== this.iceTransportPolicy) {
      this.dropPrepared();
    }
    this.preparedIceServers = iceServers;
    this.iceTransportPolicy = iceTransportPolicy;
    const wanted = Math.min(MAX_PREPARED_LINKS, Math.max(1, peerCount || 0));
    while (this.prepared.length > wanted) this.prepared.pop().close();
    while (this.prepared.length < wanted) {
      const link = new PeerLink({ iceServers, iceTransportPolicy, localTracks: this.localTracks, budget: this.budget });
      link.initiate();
      this.prepared.push(link);
    }
  }

  /**
   * Newcomer's rule: we offer to everyone already here; they answer. The connections made on the
   * pre-join page go first, their offers ready; any others are made next.
   */
  publish({ selfId, iceServers, iceTransportPolicy = "all", peerIds }) {
    this.selfId = selfId;
    this.iceServers = iceServers;
    if (iceTransportPolicy !== this.iceTransportPolicy) this.dropPrepared();
    this.iceTransportPolicy = iceTransportPolicy;
    for (const peerId of peerIds) {
      if (!this.attachPrepared(peerId)) this.linkTo(peerId).initiate();
    }
    this.dropPrepared();
  }

  addPeer(peerId) {
    if (!this.links.has(peerId)) this.connecting.add(peerId); // the newcomer offers to us
  }

  removePeer(peerId) {
    this.connecting.delete(peerId);
    this.links.get(peerId)?.close();
    this.links.delete(peerId);
  }

  setIceServers(iceServers) {
    this.iceServers = iceServers;
  }

  async handleSignal(peerId, signal) {
    await this.linkTo(peerId).handleSignal(signal);
  }

  /** Put a new local track into one slot of every connection. */
  async replaceTrack(slot, track) {
    await Promise.all([...this.links.values()].map((link) => link.setTrack(slot, track)));
  }

  /**
   * Camera video per copy. A new connection starts with the budget of the call it joins; the
   * others take it at once, unless someone is still connecting: then once that exchange is
   * complete, so an answer never waits behind them (see PeerLink.setVideoBudget).
   */
  setQualityBudget(budget) {
    this.budget = budget;
    if (this.connecting.size === 0) this.applyBudget();
  }

  applyBudget() {
    for (const link of [...this.prepared, ...this.links.values()]) link.setVideoBudget(this.budget);
  }

  restart(peerId) {
    this.links.get(peerId)?.resendOffer();
  }

  async stats() {
    const result = {};
    for (const [peerId, link] of this.links) {
      const summary = { framesDecoded: 0, audioSamples: 0, screenFrames: 0, localCandidate: null, remoteCandidate: null };
      const screenMid = link.pc.getTransceivers()[2]?.mid;
      const report = await link.stats();
      const selected = selectedPair(report);
      if (selected) {
        summary.localCandidate = report.get(selected.localCandidateId)?.candidateType || null;
        summary.remoteCandidate = report.get(selected.remoteCandidateId)?.candidateType || null;
      }
      report.forEach((entry) => {
        if (entry.type !== "inbound-rtp") return;
        if (entry.kind === "video") {
          if (entry.mid === screenMid) summary.screenFrames += entry.framesDecoded || 0;
          else summary.framesDecoded += entry.framesDecoded || 0;
        }
        if (entry.kind === "audio") summary.audioSamples += entry.totalSamplesReceived || 0;
      });
      result[peerId] = summary;
    }
    return result;
  }

  close() {
    this.dropPrepared();
    for (const peerId of [...this.links.keys()]) this.removePeer(peerId);
    this.selfId = null;
  }

  attachPrepared(peerId) {
    const link = this.prepared[0];
    if (!link || !sameJson(link.iceServers, this.iceServers)) return false;
    this.prepared.shift();
    this.links.set(peerId, link);
    link.attach(this.linkCallbacks(peerId)).catch(() => {});
    link.setVideoBudget(this.budget);
    return true;
  }

  dropPrepared() {
    for (const link of this.prepared) link.close();
    this.prepared = [];
  }

  /** The PeerLink to a peer, created on first need (a signal can be the first we hear of them). */
  linkTo(peerId) {
    let link = this.links.get(peerId);
    if (!link) {
      link = new PeerLink({
        ...this.linkCallbacks(peerId),
        iceServers: this.iceServers,
        iceTransportPolicy: this.iceTransportPolicy,
        localTracks: this.localTracks,
        budget: this.budget,
      });
      this.links.set(peerId, link);
    }
    return link;
  }

  linkCallbacks(peerId) {
    return {
      peerId,
      polite: this.selfId < peerId,
      sendSignal: (signal) => this.sendSignal(peerId, signal),
      onTrack: (slot, track) => this.emit("track", peerId, slot, track),
      onState: (state) => this.emit("state", peerId, state),
      onStable: () => {
        this.connecting.delete(peerId);
        this.applyBudget();
      },
      onReach: (problem) => this.emit("reach", peerId, problem),
      freshIceServers: async () => {
        const fresh = await this.freshIceServers();
        if (fresh) this.iceServers = fresh; // for the connections made from now on too
        return fresh;
      },
    };
  }
}

/** The candidate pair ICE chose: the transport's selected one (what media flows over). */
function selectedPair(report) {
  let pair = null;
  report.forEach((entry) => {
    if (entry.type === "transport" && entry.selectedCandidatePairId) pair = report.get(entry.selectedCandidatePairId);
  });
  return pair;
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
