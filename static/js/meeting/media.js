// The local camera, microphone and screen, and a microphone level meter. No DOM here.

export class LocalMedia {
  constructor() {
    /** @type {MediaStreamTrack|null} */ this.audioTrack = null;
    /** @type {MediaStreamTrack|null} */ this.cameraTrack = null;
    /** @type {MediaStreamTrack|null} */ this.screenTrack = null;
    this.audioDeviceId = "";
    this.videoDeviceId = "";
    this.audioError = null;
    this.videoError = null;
    this.muted = false;
  }

  /** Ask for camera and microphone; whatever fails is recorded, never thrown. */
  async start() {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.audioError = this.videoError = new Error("This browser cannot use a camera here (is the page on HTTPS?).");
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: videoConstraints() });
      this.audioTrack = stream.getAudioTracks()[0] || null;
      this.cameraTrack = stream.getVideoTracks()[0] || null;
    } catch (error) {
      this.videoError = error;
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        this.audioTrack = stream.getAudioTracks()[0] || null;
      } catch (audioError) {
        this.audioError = audioError;
      }
    }
    this.audioDeviceId = this.audioTrack?.getSettings().deviceId || "";
    this.videoDeviceId = this.cameraTrack?.getSettings().deviceId || "";
  }

  /** [microphone, camera, screen]: the order of the slots in every peer connection. */
  tracks() {
    return [this.audioTrack, this.cameraTrack, this.screenTrack];
  }

  async devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    return {
      cameras: all.filter((d) => d.kind === "videoinput"),
      microphones: all.filter((d) => d.kind === "audioinput"),
    };
  }

  setMuted(muted) {
    this.muted = muted;
    if (this.audioTrack) this.audioTrack.enabled = !muted;
  }

  /** Switch microphone; returns the new track. */
  async useMicrophone(deviceId) {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: deviceId } } });
    this.audioTrack?.stop();
    this.audioTrack = stream.getAudioTracks()[0];
    this.audioTrack.enabled = !this.muted;
    this.audioDeviceId = deviceId;
    this.audioError = null;
    return this.audioTrack;
  }

  /** Turn the camera on (optionally another one); returns the new track. */
  async cameraOn(deviceId = this.videoDeviceId) {
    const video = deviceId ? { ...videoConstraints(), deviceId: { exact: deviceId } } : videoConstraints();
    const stream = await navigator.mediaDevices.getUserMedia({ video });
    this.cameraTrack?.stop();
    this.cameraTrack = stream.getVideoTracks()[0];
    this.videoDeviceId = this.cameraTrack.getSettings().deviceId || deviceId;
    this.videoError = null;
    return this.cameraTrack;
  }

  /** Stop the camera (its light goes off). */
  cameraOff() {
    this.cameraTrack?.stop();
    this.cameraTrack = null;
  }

  /** @param {() => void} onEnded called when sharing stops from the browser's own bar */
  async startScreen(onEnded) {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    this.screenTrack = stream.getVideoTracks()[0];
    this.screenTrack.addEventListener("ended", () => {
      this.screenTrack = null;
      onEnded();
    });
    return this.screenTrack;
  }

  stopScreen() {
    this.screenTrack?.stop();
    this.screenTrack = null;
  }

  stopAll() {
    for (const track of this.tracks()) track?.stop();
  }
}

function videoConstraints() {
  return { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };
}

/** Audio level of a track, 0..1, read with Web Audio. One AudioContext is shared by all meters. */
let sharedContext = null;

export class LevelMeter {
  /** @param {MediaStreamTrack} track */
  constructor(track) {
    sharedContext ||= new AudioContext();
    if (sharedContext.state === "suspended") sharedContext.resume().catch(() => {});
    this.source = sharedContext.createMediaStreamSource(new MediaStream([track]));
    this.analyser = sharedContext.createAnalyser();
    this.analyser.fftSize = 512;
    this.samples = new Float32Array(this.analyser.fftSize);
    this.source.connect(this.analyser);
  }

  level() {
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    return Math.min(1, Math.sqrt(sum / this.samples.length) * 4);
  }

  stop() {
    this.source.disconnect();
  }
}
