// One RTCPeerConnection to one remote participant, negotiated with "perfect negotiation":
// either side may offer at any time; on a collision the polite peer rolls back and the impolite
// one ignores the other's offer. No DOM here.
//
// Each connection carries three transceivers in a fixed order: microphone, camera, screen. Turning
// the camera off, switching devices or sharing the screen swaps tracks with replaceTrack, so the
// far side knows which video is the screen by position, and most changes need no new offer.

export const SLOT_AUDIO = 0;
export const SLOT_CAMERA = 1;
export const SLOT_SCREEN = 2;

/** A link that has not connected this long after it met its peer (or restarted) is said to be unreachable. */
export const CONNECT_DEADLINE_MS = 10_000;

/**
 * Why a link cannot connect, from what it saw; null while there is hope.
 * "no-relay": no TURN server is configured, so only a direct path could work, and none did.
 * "relay-refused": we have a TURN server but it refused us (a 4xx answer, such as 401 for a bad or
 *   expired credential), so we have no relay candidate.
 * "relay-unreachable": we have a TURN server but it did not answer (no relay candidate either).
 * "no-route": we had a relay, and still nothing connected (the other side could not reach it).
 * @param {{iceServers: RTCIceServer[], relayCandidates: number, gatheringDone: boolean,
 *          candidateErrors: {url: string, code: number}[], failed: boolean, overdue: boolean}} seen
 * @returns {"no-relay"|"relay-refused"|"relay-unreachable"|"no-route"|null}
 */
export function reachProblem({ iceServers, relayCandidates, gatheringDone, candidateErrors, failed, overdue }) {
  const hasRelay = (iceServers || []).some((server) =>
    [].concat(server.urls || []).some((url) => /^turns?:/.test(url)));
  const relayErrors = candidateErrors.filter((error) => /^turns?:/.test(error.url || ""));
  const withoutRelay = hasRelay && relayCandidates === 0 && gatheringDone;
  const refused = relayErrors.some((error) => error.code >= 400 && error.code < 500);
  // Known at once, from our own gathering: no point waiting for a deadline.
  if (withoutRelay && refused) return "relay-refused";
  if (withoutRelay && relayErrors.length) return "relay-unreachable";
  if (!failed && !overdue) return null;
  if (!hasRelay) return "no-relay";
  return withoutRelay ? "relay-unreachable" : "no-route";
}

/**
 * True when a TURN credential among these servers expires within `marginSeconds`: its username is
 * "<expiry unix time>:<id>" (coturn's REST API scheme).
 * @param {RTCIceServer[]} iceServers
 */
export function credentialsExpireSoon(iceServers, nowSeconds = Date.now() / 1000, marginSeconds = 600) {
  return (iceServers || []).some((server) => {
    const expiry = Number.parseInt(String(server.username || "").split(":")[0], 10);
    return Number.isFinite(expiry) && expiry - nowSeconds < marginSeconds;
  });
}

export class PeerLink {
  /**
   * A link may be made before its peer is known (MeshTransport.prepare): without sendSignal it keeps
   * its offer and candidates until attach() names the peer.
   * @param {object} options
   * @param {string|null} options.peerId  the remote participant
   * @param {boolean} options.polite      true when our peer ID sorts before theirs
   * @param {RTCIceServer[]} options.iceServers
   * @param {RTCIceTransportPolicy} [options.iceTransportPolicy]  "relay" in meetings that hide addresses
   * @param {() => Promise<RTCIceServer[]|null>} [options.freshIceServers]  new credentials before an ICE
   *   restart, or null to keep the current ones
   * @param {(problem: string|null) => void} [options.onReach]  why the link cannot connect (reachProblem), or null
   * @param {(message: object) => void} options.sendSignal   sends {description} or {candidate}
   * @param {() => (MediaStreamTrack|null)[]} options.localTracks  [audio, camera, screen]
   * @param {(slot: number, track: MediaStreamTrack) => void} options.onTrack
   * @param {(state: string) => void} options.onState
   * @param {() => void} options.onStable   an offer/answer exchange is complete
   * @param {{scale: number, fps: number}} options.budget  the camera budget to start with
   */
  constructor({
    peerId = null, polite = false, iceServers, iceTransportPolicy = "all", freshIceServers, sendSignal, localTracks,
    onTrack, onState, onStable, onReach, budget,
  }) {
    this.peerId = peerId;
    this.polite = polite;
    this.outbox = sendSignal ? null : [];
    this.sendSignal = sendSignal || ((message) => this.outbox.push(message));
    this.localTracks = localTracks;
    this.onTrack = onTrack || (() => {});
    this.onState = onState || (() => {});
    this.onStable = onStable || (() => {});
    this.iceServers = iceServers;
    this.iceTransportPolicy = iceTransportPolicy;
    this.freshIceServers = freshIceServers || (async () => null);
    this.onReach = onReach || (() => {});
    /** What ICE gathering showed, for reachProblem. */
    this.relayCandidates = 0;
    this.gatheringDone = false;
    this.candidateErrors = [];
    this.reach = null;
    this.deadlineTimer = null;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.pendingCandidates = [];
    this.closed = false;
    /** The camera budget wanted, and the one the sender has (null: the browser's default). */
    this.budget = budget;
    this.sentBudget = null;
    this.budgetTimer = null;
    this.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
    this.cameraStream = new MediaStream();
    this.screenStream = new MediaStream();

    this.pc.onnegotiationneeded = () => this.offer();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate) {
        if (candidate.type === "relay") this.relayCandidates += 1;
        this.sendSignal({ candidate: candidate.toJSON() });
      }
    };
    this.pc.onicecandidateerror = ({ url, errorCode }) => {
      this.candidateErrors.push({ url, code: errorCode });
    };
    this.pc.onicegatheringstatechange = () => {
      this.gatheringDone = this.pc.iceGatheringState === "complete";
      this.checkReach();
    };
    this.pc.ontrack = ({ track, transceiver }) => {
      const slot = this.pc.getTransceivers().indexOf(transceiver);
      if (this.tracksOnHold) this.tracksOnHold.push([slot, track]);
      else this.onTrack(slot, track);
    };
    /** Tracks that arrive while a description is applied, told after our answer is out. */
    this.tracksOnHold = null;
    this.pc.onsignalingstatechange = () => {
      if (this.pc.signalingState !== "stable") return;
      this.sendBudgetSoon();
      this.onStable();
    };
    this.pc.onconnectionstatechange = () => {
      const state = this.pc.connectionState;
      this.onState(state);
      if (state === "connected") this.clearDeadline();
      this.checkReach();
      if (state === "failed") this.restartIce();
    };
    if (sendSignal) this.startDeadline();
  }

  /** From now, a link that does not connect within CONNECT_DEADLINE_MS says why (checkReach). */
  startDeadline() {
    this.clearDeadline();
    this.overdue = false;
    this.deadlineTimer = setTimeout(() => {
      this.overdue = true;
      this.checkReach();
    }, CONNECT_DEADLINE_MS);
  }

  clearDeadline() {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    this.overdue = false;
  }

  checkReach() {
    if (this.closed || !this.peerId) return;
    const connected = this.pc.connectionState === "connected";
    const problem = connected ? null : reachProblem({
      iceServers: this.iceServers,
      relayCandidates: this.relayCandidates,
      gatheringDone: this.gatheringDone,
      candidateErrors: this.candidateErrors,
      failed: this.pc.connectionState === "failed",
      overdue: Boolean(this.overdue),
    });
    if (problem === this.reach) return;
    this.reach = problem;
    this.onReach(problem);
  }

  /** We start the call: create the three slots and let negotiationneeded send the offer. */
  initiate() {
    const [audio, camera, screen] = this.localTracks();
    this.pc.addTransceiver(audio || "audio", { direction: "sendrecv", streams: [this.cameraStream] });
    this.pc.addTransceiver(camera || "video", {
      direction: "sendrecv",
      streams: [this.cameraStream],
      sendEncodings: [cameraEncoding(this.budget)],
    });
    this.sentBudget = this.budget;
    this.pc.addTransceiver(screen || "video", { direction: "sendrecv", streams: [this.screenStream] });
  }

  /**
   * A link made ahead meets its peer: from now on it signals to them, starting with what it kept
   * (its offer, then its candidates, in order), and its slots get the tracks of this moment.
   */
  attach({ peerId, polite, sendSignal, onTrack, onState, onStable, onReach, freshIceServers }) {
    Object.assign(this, { peerId, polite, sendSignal, onTrack, onState, onStable });
    this.onReach = onReach || (() => {});
    this.freshIceServers = freshIceServers || (async () => null);
    this.startDeadline();
    this.checkReach(); // gathering may have failed already, on the pre-join page
    const kept = this.outbox || [];
    this.outbox = null;
    for (const message of kept) sendSignal(message);
    const tracks = this.localTracks();
    return Promise.all(tracks.map((track, slot) => this.setTrack(slot, track)));
  }

  /**
   * How much camera video to send this peer. In a full mesh every sender encodes one copy per peer,
   * so the copies shrink as the call grows: the CPU and the uplink stay about the same, and the
   * tiles, which shrink too, still get what they can show. Screen sharing is never scaled down.
   *
   * The change is made in a later task, and only once no offer or answer is in flight: reading the
   * sender's parameters waits for WebRTC's media thread, which is at its busiest while someone
   * joins, and an answer held up behind it holds up the newcomer's first frame.
   * @param {{scale: number, fps: number}} budget
   */
  setVideoBudget(budget) {
    this.budget = budget;
    this.sendBudgetSoon();
  }

  sendBudgetSoon() {
    if (this.budgetTimer !== null || this.closed || sameBudget(this.budget, this.sentBudget)) return;
    if (this.pc.signalingState !== "stable") return; // back here when it is
    this.budgetTimer = setTimeout(() => {
      this.budgetTimer = null;
      this.sendBudget().catch(() => {});
    }, 0);
  }

  async sendBudget() {
    if (this.closed || this.pc.signalingState !== "stable" || sameBudget(this.budget, this.sentBudget)) return;
    const sender = this.pc.getTransceivers()[SLOT_CAMERA]?.sender;
    if (!sender) return; // no call yet: initiate() or the first offer brings the slot
    const budget = this.budget;
    const parameters = sender.getParameters();
    if (!parameters.encodings?.length) return; // not negotiated yet: back here when it is
    Object.assign(parameters.encodings[0], cameraEncoding(budget));
    await sender.setParameters(parameters);
    this.sentBudget = budget;
    this.sendBudgetSoon(); // the budget may have changed again meanwhile
  }

  async offer() {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendSignal({ description: this.pc.localDescription.toJSON() });
    } catch (error) {
      console.warn(`offer to ${this.peerId} failed`, error);
    } finally {
      this.makingOffer = false;
    }
  }

  /** Send our current offer again (the far side missed it while its socket was down). */
  resendOffer() {
    if (this.pc.signalingState === "have-local-offer" && this.pc.localDescription) {
      this.sendSignal({ description: this.pc.localDescription.toJSON() });
    } else if (this.pc.connectionState !== "connected") {
      this.restartIce();
    }
  }

  /**
   * A new ICE negotiation (fires negotiationneeded: a new offer with ICE restart); first, if the
   * TURN credential is about to expire, fresh ones, so the restarted allocations keep working.
   */
  async restartIce() {
    if (this.closed) return;
    let fresh = null;
    try {
      fresh = await this.freshIceServers();
    } catch (error) {
      console.warn("fresh ICE servers unavailable", error);
    }
    if (this.closed) return;
    if (fresh) {
      this.iceServers = fresh;
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: fresh });
    }
    this.relayCandidates = 0;
    this.gatheringDone = false;
    this.candidateErrors = [];
    this.startDeadline();
    this.pc.restartIce();
  }

  /** @param {{description?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit|null}} signal */
  async handleSignal({ description, candidate }) {
    if (this.closed) return;
    if (description) {
      const collision =
        description.type === "offer" && (this.makingOffer || this.pc.signalingState !== "stable");
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      const firstOffer = description.type === "offer" && this.pc.getTransceivers().length === 0;
      // The answer goes out before anything that can wait for it: the page drawing the new tracks
      // (track events fire inside setRemoteDescription) and the candidates that came with the offer.
      // No frame can arrive before the far side has our answer anyway.
      this.tracksOnHold ||= [];
      try {
        await this.pc.setRemoteDescription(description); // rolls back our own offer if we collided
        if (description.type === "offer") {
          if (firstOffer) await this.answerWithLocalTracks();
          await this.pc.setLocalDescription();
          this.sendSignal({ description: this.pc.localDescription.toJSON() });
        }
      } finally {
        this.releaseTracks();
      }
      await this.flushCandidates();
    } else if (candidate) {
      if (!this.pc.remoteDescription) {
        this.pendingCandidates.push(candidate); // ICE can outrun the description it belongs to
        return;
      }
      await this.addCandidate(candidate);
    }
  }

  releaseTracks() {
    const held = this.tracksOnHold || [];
    this.tracksOnHold = null;
    for (const [slot, track] of held) this.onTrack(slot, track);
  }

  /** The far side started the call: fill the slots its offer created, in the same order. */
  async answerWithLocalTracks() {
    const tracks = this.localTracks();
    const streams = [this.cameraStream, this.cameraStream, this.screenStream];
    const slots = this.pc.getTransceivers().slice(0, 3);
    await Promise.all(slots.map(async (transceiver, slot) => {
      transceiver.direction = "sendrecv";
      if (transceiver.sender.setStreams) transceiver.sender.setStreams(streams[slot]);
      if (tracks[slot]) await transceiver.sender.replaceTrack(tracks[slot]);
    }));
  }

  async flushCandidates() {
    const queued = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of queued) await this.addCandidate(candidate);
  }

  async addCandidate(candidate) {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      if (!this.ignoreOffer) console.warn(`candidate from ${this.peerId} refused`, error);
    }
  }

  /** Put a track (or nothing) in one of the three slots. */
  async setTrack(slot, track) {
    const transceiver = this.pc.getTransceivers()[slot];
    if (transceiver) await transceiver.sender.replaceTrack(track);
  }

  async stats() {
    return this.pc.getStats();
  }

  close() {
    this.closed = true;
    clearTimeout(this.budgetTimer);
    this.clearDeadline();
    this.pc.close();
  }
}

/** @param {{scale: number, fps: number}|null} budget  null: full size at the camera's rate */
function cameraEncoding(budget) {
  const { scale, fps } = budget || { scale: 1, fps: 24 };
  return { scaleResolutionDownBy: scale, maxFramerate: fps };
}

function sameBudget(a, b) {
  return a?.scale === b?.scale && a?.fps === b?.fps;
}
