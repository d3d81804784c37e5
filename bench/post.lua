-- wrk script for the POST endpoint: the same JSON body the clients send, read from WRK_BODY_FILE.
local file = assert(io.open(os.getenv("WRK_BODY_FILE"), "r"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = file:read("*a")
file:close()
