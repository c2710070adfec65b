-- wrk script: POST the file named by $BODY_FILE as application/json to the given URL, each request
-- with a policy id of its own ("<id>-<start>-<thread>-<n>", <start> the second this wrk run began, so
-- ids never repeat across runs of one service): the deployment ledger answers content it has
-- already made live without delivering it again, so every request must be a new deployment for the
-- pipeline to do its full work (the baseline relay gets the same bodies, so both sides of the ratio
-- do the same work).
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local template = f:read("*a")
f:close()

local threads = 0
local started = tostring(os.time())
function setup(thread)
   threads = threads + 1
   thread:set("thread_number", started .. "-" .. threads)
end

local sent = 0
function request()
   sent = sent + 1
   local body = template:gsub('"id"%s*:%s*"([^"]*)"', '"id":"%1-' .. (thread_number or 0) .. '-' .. sent .. '"', 1)
   return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end
