-- Refuses a request whose Content-Length is over the gateway's body limit, in a way a client
-- that is still sending the body can read (haproxy.cfg: `http-request use-service
-- lua.payload_too_large`).
--
-- `http-request return status 413` would answer and close at once: HAProxy 2.6 closes the
-- client connection with the unread body still arriving, the kernel answers that data with a
-- TCP reset, and most clients then report EPIPE/ECONNRESET instead of the 413 (HAProxy only
-- drains such bodies itself from 3.0 on). This service reads and discards the body, then
-- answers 413 problem+json; the connection then serves the client's next request.
--
-- The answer comes after the body, not before: answering first and draining after stalls in
-- HAProxy 2.6 (one keep-alive upload in three stopped being read once the answer was out).
-- haproxy.cfg answers with `http-request return` where there is nothing to read (a client
-- waiting for `100-continue`) or too much.
--
-- Reads the transaction variables set by haproxy.cfg:
--   txn.body_limit   the limit, for the detail ("1 MB", "6 MB")
--   txn.request_id   the request id (also sent as X-Request-Id by http-after-response)

local CHUNK_BYTES = 64 * 1024

core.register_service("payload_too_large", "http", function(applet)
  -- What is left of the body announced by Content-Length (the only bodies sent here).
  local remaining = tonumber(applet.length) or 0
  while remaining > 0 do
    local chunk = applet:receive(math.min(remaining, CHUNK_BYTES))
    if chunk == nil or #chunk == 0 then
      break
    end
    remaining = remaining - #chunk
  end

  local limit = applet:get_var("txn.body_limit") or "body"
  local request_id = applet:get_var("txn.request_id") or ""
  local body = string.format(
    '{"type":"urn:marketshare:problem:payload_too_large","title":"Content Too Large",'
      .. '"status":413,"code":"payload_too_large",'
      .. '"detail":"The request body is over the gateway limit of %s.","request_id":"%s"}',
    limit,
    request_id
  )
  applet:set_status(413, "Content Too Large")
  applet:add_header("content-type", "application/problem+json")
  applet:add_header("content-length", tostring(#body))
  applet:add_header("cache-control", "no-store")
  applet:start_response()
  applet:send(body)
end)
