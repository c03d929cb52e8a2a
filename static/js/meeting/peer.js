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

export class PeerLink {
  /**
   * A link may be made before its peer is known (MeshTransport.prepare): without sendSignal it keeps
   * its offer and candidates until attach() names the peer.
   * @param {object} options
   * @param {string|null} options.peerId  the remote participant
   * @param {boolean} options.polite      true when our peer ID sorts before theirs
   * @param {RTCIceServer[]} options.iceServers
   * @param {(message: object) => void} options.sendSignal   sends {description} or {candidate}
   * @param {() => (MediaStreamTrack|null)[]} options.localTracks  [audio, camera, screen]
   * @param {(slot: number, track: MediaStreamTrack) => void} options.onTrack
   * @param {(state: string) => void} options.onState
   * @param {() => void} options.onStable   an offer/answer exchange is complete
   * @param {{scale: number, fps: number}} options.budget  the camera budget to start with
   */
  constructor({ peerId = null, polite = false, iceServers, sendSignal, localTracks, onTrack, onState, onStable, budget }) {
    this.peerId = peerId;
    this.polite = polite;
    this.outbox = sendSignal ? null : [];
    this.sendSignal = sendSignal || ((message) => this.outbox.push(message));
    this.localTracks = localTracks;
    this.onTrack = onTrack || (() => {});
    this.onState = onState || (() => {});
    this.onStable = onStable || (() => {});
    this.iceServers = iceServers;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.pendingCandidates = [];
    this.closed = false;
    /** The camera budget wanted, and the one the sender has (null: the browser's default). */
    this.budget = budget;
    this.sentBudget = null;
    this.budgetTimer = null;
    this.pc = new RTCPeerConnection({ iceServers });
    this.cameraStream = new MediaStream();
    this.screenStream = new MediaStream();

    this.pc.onnegotiationneeded = () => this.offer();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.sendSignal({ candidate: candidate.toJSON() });
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
      if (state === "failed") this.restartIce();
    };
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
  attach({ peerId, polite, sendSignal, onTrack, onState, onStable }) {
    Object.assign(this, { peerId, polite, sendSignal, onTrack, onState, onStable });
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

  restartIce() {
    if (!this.closed) this.pc.restartIce(); // fires negotiationneeded: a new offer with ICE restart
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
