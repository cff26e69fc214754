/**
 * Attribute keys of the exported log records: OpenTelemetry semantic conventions where one
 * exists, `plaintap.*` for the agent's own facts. One table, so that mapping, docs and tests
 * spell every key the same way.
 */

export const ATTR = {
  // process / thread
  processPid: 'process.pid',
  processExecutableName: 'process.executable.name',
  processUserId: 'process.user.id',
  processParentPid: 'process.parent_pid',
  userId: 'user.id',
  threadId: 'thread.id',
  // container / Kubernetes (the Collector's k8sattributes processor adds names and labels)
  containerId: 'container.id',
  k8sPodUid: 'k8s.pod.uid',
  // network
  networkPeerAddress: 'network.peer.address',
  networkPeerPort: 'network.peer.port',
  networkLocalAddress: 'network.local.address',
  networkLocalPort: 'network.local.port',
  networkTransport: 'network.transport',
  networkType: 'network.type',
  networkProtocolName: 'network.protocol.name',
  networkProtocolVersion: 'network.protocol.version',
  // http / url / peers
  httpRequestMethod: 'http.request.method',
  httpRequestMethodOriginal: 'http.request.method_original',
  httpResponseStatusCode: 'http.response.status_code',
  httpRequestBodySize: 'http.request.body.size',
  httpResponseBodySize: 'http.response.body.size',
  httpRequestHeaderPrefix: 'http.request.header.',
  httpResponseHeaderPrefix: 'http.response.header.',
  urlPath: 'url.path',
  urlQuery: 'url.query',
  urlScheme: 'url.scheme',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  clientAddress: 'client.address',
  clientPort: 'client.port',
  userAgentOriginal: 'user_agent.original',
  errorType: 'error.type',
  // database
  dbSystemName: 'db.system.name',
  dbNamespace: 'db.namespace',
  dbOperationName: 'db.operation.name',
  dbQueryText: 'db.query.text',
  dbResponseStatusCode: 'db.response.status_code',
  // rpc (gRPC over HTTP/2)
  rpcSystem: 'rpc.system',
  rpcService: 'rpc.service',
  rpcMethod: 'rpc.method',
  rpcGrpcStatusCode: 'rpc.grpc.status_code',
  // plaintap's own facts
  direction: 'plaintap.direction',
  tlsLibrary: 'plaintap.tls.library',
  truncated: 'plaintap.truncated',
  length: 'plaintap.length',
  duration: 'plaintap.duration',
  side: 'plaintap.side',
  incomplete: 'plaintap.incomplete',
  parseError: 'plaintap.parse_error',
  protocol: 'plaintap.protocol',
  late: 'plaintap.late',
  upgrade: 'plaintap.upgrade',
  websocketSender: 'plaintap.websocket.sender',
  websocketType: 'plaintap.websocket.type',
  websocketFrames: 'plaintap.websocket.frames',
  websocketCompressed: 'plaintap.websocket.compressed',
  shellTty: 'plaintap.shell.tty',
  shellExitStatus: 'plaintap.shell.exit_status',
  dbUser: 'plaintap.db.user',
  dbCommand: 'plaintap.db.command',
  dbStatementId: 'plaintap.db.statement_id',
  http2StreamId: 'plaintap.http2.stream_id',
  http2HeadersIncomplete: 'plaintap.http2.headers_incomplete',
  http2ErrorCode: 'plaintap.http2.error_code',
  grpcStatusMessage: 'plaintap.grpc.status_message',
  grpcRequestMessages: 'plaintap.grpc.request.messages',
  grpcResponseMessages: 'plaintap.grpc.response.messages',
} as const;

/** Event names (the LogRecord `event_name` field) of plaintap's records. */
export const EVENT_NAME = {
  raw: 'plaintap.raw.message',
  httpExchange: 'plaintap.http.exchange',
  websocketMessage: 'plaintap.websocket.message',
  shellCommand: 'plaintap.shell.command',
  dbQuery: 'plaintap.db.query',
} as const;

/** The instrumentation scope every plaintap record is emitted under. */
export const INSTRUMENTATION_SCOPE = 'plaintap';
