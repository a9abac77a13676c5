/**
 * Keeps the server from ever sending an HTTP/2 GOAWAY frame, because Deno 2.9's `node:http2`
 * can abort the whole process while sending one (nghttp2 assertion in
 * `find_stream_on_goaway_func`, denoland/deno#36788). Measured before this workaround: about one
 * abort per 600–2,000 short connections from Node.js grpc-js clients (grpc-go clients, which Talos
 * workers use, did not trigger it in 15,000 calls).
 *
 * A session that would be closed gracefully (the peer sent GOAWAY, the idle timer fired) instead
 * has its socket closed once its open streams are done. Nothing is lost: a unary call is complete
 * when its stream closes, and a peer that sent GOAWAY opens no new streams.
 *
 * @module
 */
import type { Http2Server, Http2Session, ServerHttp2Stream } from "node:http2";

/**
 * Installs the workaround on every HTTP/2 server behind a grpc-js `Server`.
 *
 * @param grpcServer the grpc-js server, after its ports are bound
 */
export function avoidServerGoaway(grpcServer: object): void {
  const servers = (grpcServer as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const http2Server of servers.keys()) http2Server.on("session", closeWithoutGoaway);
}

function closeWithoutGoaway(session: Http2Session): void {
  let openStreams = 0;
  let closing = false;
  // destroy(null): no error and no code, so Deno skips its GOAWAY(last stream 0) path.
  const finish = () => session.destroy(null as unknown as Error);
  session.on("stream", (stream: ServerHttp2Stream) => {
    openStreams++;
    stream.once("close", () => {
      if (--openStreams === 0 && closing) finish();
    });
  });
  session.close = function close(callback?: () => void) {
    if (callback) session.once("close", callback);
    closing = true;
    if (openStreams === 0) finish();
  };
}
