-- wrk script: every request from another client address (X-Forwarded-For, read by the portal behind one
-- proxy, PROXY_FIX=1), so a page with a per-address limit (/v/<code>: 300 an hour) is measured as many
-- visitors see it, each below the limit, with the limit still checked on every request.
local n = 0
request = function()
  n = n + 1
  local address = "10." .. (math.floor(n / 65536) % 256) .. "." .. (math.floor(n / 256) % 256) .. "." .. (n % 256)
  return wrk.format(nil, nil, {["X-Forwarded-For"] = address})
end
