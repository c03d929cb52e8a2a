// The signaling protocol's vocabulary on the client: close codes, error codes and message types.
// The one place the client names them; tests/signaling/test_wire_vocabulary.py fails when it
// disagrees with meetings/protocol.py. docs/signaling.md says what each one means.

/** Websocket close codes (meetings.protocol.Close). */
export const Close = Object.freeze({
  NO_CREDENTIALS: 4001,
  BAD_TICKET: 4002,
  TICKET_EXPIRED: 4003,
  WRONG_MEETING: 4004,
  TICKET_USED: 4005,
  RESUME_FAILED: 4006,
  HOLD_EXPIRED: 4007,
  NOT_FOUND: 4040,
  MEETING_ENDED: 4100,
  MEETING_CANCELLED: 4101,
  MEETING_LOCKED: 4102,
  ROOM_FULL: 4103,
  HOST_NOT_ARRIVED: 4104,
  TOO_MANY_CONNECTIONS: 4106,
  NOT_OPEN_YET: 4107,
  ACCOUNT_SOCKETS: 4108,
  KNOCK_LIMIT: 4406,
  ADDRESS_BUSY: 4430,
  ADDRESS_SOCKETS: 4431,
  REMOVED: 4403,
  DENIED: 4405,
  IDLE_TIMEOUT: 4408,
  REPLACED: 4409,
  FLOOD: 4429,
  LOGGED_OUT: 4401,
});

/** Codes of in-band error replies (meetings.protocol.Error). */
export const ErrorCode = Object.freeze({
  BAD_JSON: "bad_json",
  TOO_LARGE: "too_large",
  UNKNOWN_TYPE: "unknown_type",
  INVALID: "invalid_message",
  UNKNOWN_PEER: "unknown_peer",
  NOT_ALLOWED: "not_allowed",
  NOT_JOINED: "not_joined",
  RATE_LIMITED: "rate_limited",
  TOO_MANY_CANDIDATES: "too_many_candidates",
  PEER_BUSY: "peer_busy",
  CHAT_TOO_FAST: "chat_too_fast",
});

/** What a client sends (meetings.protocol.CLIENT_MESSAGES). */
export const ClientMessage = Object.freeze({
  PING: "ping",
  ICE_SERVERS: "ice-servers",
  JOIN: "join",
  RESUME: "resume",
  SIGNAL: "signal",
  CHAT: "chat",
  MEDIA: "media",
  LEAVE: "leave",
  ADMIT: "admit",
  DENY: "deny",
  REMOVE: "remove",
  MUTE_REQUEST: "mute-request",
  MAKE_COHOST: "make-cohost",
  LOCK: "lock",
  END: "end",
});

/** What the server sends (meetings.protocol.SERVER_MESSAGES). */
export const ServerMessage = Object.freeze({
  WELCOME: "welcome",
  WAITING: "waiting",
  HELD: "held",
  PEER_COUNT: "peer-count",
  ICE_SERVERS: "ice-servers",
  REFUSED: "refused",
  PONG: "pong",
  SIGNAL: "signal",
  PEER_JOINED: "peer-joined",
  PEER_LEFT: "peer-left",
  PEER_INTERRUPTED: "peer-interrupted",
  PEER_RESUMED: "peer-resumed",
  PEER_MEDIA: "peer-media",
  PEER_ROLE: "peer-role",
  ROLE: "role",
  CHAT: "chat",
  LOCKED: "locked",
  KNOCK: "knock",
  WAITING_LEFT: "waiting-left",
  MUTE_REQUEST: "mute-request",
  DENIED: "denied",
  REMOVED: "removed",
  REPLACED: "replaced",
  SIGNED_OUT: "signed-out",
  ENDED: "ended",
  ERROR: "error",
});

/** Server messages after which this participant is out of the call for good. */
export const FINAL_MESSAGES = Object.freeze([
  ServerMessage.ENDED,
  ServerMessage.REMOVED,
  ServerMessage.DENIED,
  ServerMessage.REFUSED,
  ServerMessage.REPLACED,
  ServerMessage.SIGNED_OUT,
]);

/** Close codes after which reconnecting cannot help (docs/signaling.md, "Reconnect?" is no). */
export const FINAL_CLOSE_CODES = new Set([
  Close.NO_CREDENTIALS,
  Close.BAD_TICKET,
  Close.WRONG_MEETING,
  Close.NOT_FOUND,
  Close.MEETING_ENDED,
  Close.MEETING_CANCELLED,
  Close.MEETING_LOCKED,
  Close.ROOM_FULL,
  Close.HOST_NOT_ARRIVED,
  Close.TOO_MANY_CONNECTIONS,
  Close.NOT_OPEN_YET,
  Close.LOGGED_OUT,
  Close.REMOVED,
  Close.DENIED,
  Close.KNOCK_LIMIT,
  Close.REPLACED,
  Close.FLOOD,
]);

/** Close codes that mean "fetch a new ticket and try again": it expired, or it was used. */
export const TICKET_PROBLEMS = new Set([Close.TICKET_EXPIRED, Close.TICKET_USED]);
