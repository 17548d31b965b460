package io.liveboard.cluster;

/**
 * The Lua scripts of {@link RedisPresenceDirectory}: each runs atomically in Redis, so two nodes never both see a
 * user's first arrival or last departure. Per board {@code B}: {@code liveboard:presence:B:nodes} (sorted set: node
 * id → the time, in Redis's clock, its entries count as dead after), {@code liveboard:presence:B:node:<id>} (hash:
 * {@code t:<userId>} tabs, {@code u:<userId>} the user as JSON, {@code o:<userId>} its arrival number, {@code ws} and
 * {@code sse} sessions) and {@code liveboard:presence:B:order} (the last arrival number). All of them
 * expire unless refreshed.
 */
final class PresenceScripts {

    private PresenceScripts() {
    }

    /** Redis's clock in milliseconds, as {@code now}. */
    private static final String NOW = """
            redis.replicate_commands()
            local clock = redis.call('TIME')
            local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
            """;

    /**
     * The next arrival number of a board (counter key {@code key}): Redis's clock in microseconds, or one more than
     * the last number if that is not later. So numbers keep growing across the nodes, and across a restart of Redis
     * that lost the counter. Needs {@link #NOW}.
     */
    private static final String NEXT_ORDER = """
            local function next_order(key)
              local n = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
              local last = tonumber(redis.call('GET', key) or '0')
              if n <= last then n = last + 1 end
              local text = string.format('%.0f', n)
              redis.call('SET', key, text)
              return text
            end
            """;

    /** Adds up the {@code ws} sessions of every node in {@code nodes} (node hash prefix {@code prefix}). */
    private static final String VIEWERS_OF = """
            local function viewers_of(nodes, prefix)
              local viewers = 0
              for _, other in ipairs(nodes) do
                viewers = viewers + tonumber(redis.call('HGET', prefix .. other, 'ws') or '0')
              end
              return viewers
            end
            """;

    /**
     * A tab arrives. KEYS: nodes, own hash, order. ARGV: node, userId, user JSON, ws, sse, ttl ms, node hash prefix,
     * the user's tabs on this node now. Returns {first anywhere (1/0), the user's arrival number, WebSocket sessions on every node}.
     */
    static final String ARRIVE = NOW + NEXT_ORDER + VIEWERS_OF + """
            local ttl = tonumber(ARGV[6])
            redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
            redis.call('HSET', KEYS[2], 't:' .. ARGV[2], ARGV[8], 'ws', ARGV[4], 'sse', ARGV[5])
            local nodes = redis.call('ZRANGE', KEYS[1], 0, -1)
            local first = 0
            local order = redis.call('HGET', KEYS[2], 'o:' .. ARGV[2])
            if not order then
              for _, other in ipairs(nodes) do
                if other ~= ARGV[1] then
                  local o = redis.call('HGET', ARGV[7] .. other, 'o:' .. ARGV[2])
                  if o and ((not order) or tonumber(o) < tonumber(order)) then order = o end
                end
              end
              if not order then
                order = next_order(KEYS[3])
                first = 1
              end
              redis.call('HSET', KEYS[2], 'u:' .. ARGV[2], ARGV[3], 'o:' .. ARGV[2], order)
            end
            redis.call('PEXPIRE', KEYS[1], 3 * ttl)
            redis.call('PEXPIRE', KEYS[2], 2 * ttl)
            redis.call('PEXPIRE', KEYS[3], 3 * ttl)
            return {first, order, viewers_of(nodes, ARGV[7])}
            """;

    /**
     * A tab leaves. KEYS: nodes, own hash. ARGV: node, userId, ws, sse, node hash prefix, the user's tabs left on this
     * node. Returns {last anywhere
     * (1/0), WebSocket sessions on every node}. A node left with no user on the board takes itself out of it.
     */
    static final String DEPART = VIEWERS_OF + """
            redis.call('HSET', KEYS[2], 'ws', ARGV[3], 'sse', ARGV[4])
            local last = 0
            if tonumber(ARGV[6]) > 0 then
              redis.call('HSET', KEYS[2], 't:' .. ARGV[2], ARGV[6])
            elseif redis.call('HEXISTS', KEYS[2], 'o:' .. ARGV[2]) == 1 then
              redis.call('HDEL', KEYS[2], 't:' .. ARGV[2], 'u:' .. ARGV[2], 'o:' .. ARGV[2])
              last = 1
              for _, other in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
                if other ~= ARGV[1] and redis.call('HEXISTS', ARGV[5] .. other, 'o:' .. ARGV[2]) == 1 then
                  last = 0
                  break
                end
              end
            end
            if redis.call('HLEN', KEYS[2]) <= 2 then
              redis.call('DEL', KEYS[2])
              redis.call('ZREM', KEYS[1], ARGV[1])
            end
            return {last, viewers_of(redis.call('ZRANGE', KEYS[1], 0, -1), ARGV[5])}
            """;

    /**
     * A live node's refresh. KEYS: nodes, own hash, order. ARGV: node, ttl ms, ws, sse. Returns 1, or 0 when the own
     * hash is gone (Redis lost it, or the node was taken for dead): the node writes it again.
     */
    static final String REFRESH = NOW + """
            local ttl = tonumber(ARGV[2])
            redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
            redis.call('PEXPIRE', KEYS[1], 3 * ttl)
            redis.call('PEXPIRE', KEYS[3], 3 * ttl)
            if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
            redis.call('HSET', KEYS[2], 'ws', ARGV[3], 'sse', ARGV[4])
            redis.call('PEXPIRE', KEYS[2], 2 * ttl)
            return 1
            """;

    /**
     * Writes a node's hash anew (what the node knows, after Redis lost it or a change failed). KEYS: nodes, own hash,
     * order. ARGV: node, ttl ms, then field, value, field, value, …; an empty arrival number ({@code o:}) gets the
     * next one. Returns {userId, number, …} for those.
     */
    static final String REWRITE = NOW + NEXT_ORDER + """
            local ttl = tonumber(ARGV[2])
            local numbered = {}
            redis.call('DEL', KEYS[2])
            for i = 3, #ARGV - 1, 2 do
              local value = ARGV[i + 1]
              if string.sub(ARGV[i], 1, 2) == 'o:' and value == '' then
                value = next_order(KEYS[3])
                table.insert(numbered, string.sub(ARGV[i], 3))
                table.insert(numbered, value)
              end
              redis.call('HSET', KEYS[2], ARGV[i], value)
            end
            redis.call('PEXPIRE', KEYS[2], 2 * ttl)
            redis.call('PEXPIRE', KEYS[3], 3 * ttl)
            redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
            return numbered
            """;

    /**
     * Takes dead nodes off the board: those past their time, and {@code ARGV[2]} if given (a node that stops). KEYS:
     * nodes. ARGV: node hash prefix, a node to remove or ''. Returns the JSON of the users who were only on those
     * nodes: they left, and exactly one caller (this one) learns it.
     */
    static final String REAP = NOW + """
            local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
            if ARGV[2] ~= '' then table.insert(dead, ARGV[2]) end
            local candidates = {}
            for _, node in ipairs(dead) do
              redis.call('ZREM', KEYS[1], node)
              local fields = redis.call('HGETALL', ARGV[1] .. node)
              for i = 1, #fields, 2 do
                if string.sub(fields[i], 1, 2) == 'u:' then candidates[string.sub(fields[i], 3)] = fields[i + 1] end
              end
              redis.call('DEL', ARGV[1] .. node)
            end
            local live = redis.call('ZRANGE', KEYS[1], 0, -1)
            local gone = {}
            for uid, json in pairs(candidates) do
              local present = false
              for _, node in ipairs(live) do
                if redis.call('HEXISTS', ARGV[1] .. node, 'o:' .. uid) == 1 then
                  present = true
                  break
                end
              end
              if not present then table.insert(gone, json) end
            end
            return gone
            """;

    /**
     * A page of the board's users on every node, each once, in order of its earliest arrival number (then of id).
     * KEYS: nodes. ARGV: node hash prefix, offset, limit. Returns {how many in all, user JSON, user JSON, …}.
     */
    static final String USERS = """
            local best = {}
            for _, node in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
              local fields = redis.call('HGETALL', ARGV[1] .. node)
              local hash = {}
              for i = 1, #fields, 2 do hash[fields[i]] = fields[i + 1] end
              for field, value in pairs(hash) do
                if string.sub(field, 1, 2) == 'o:' then
                  local uid = string.sub(field, 3)
                  local o = tonumber(value)
                  if hash['u:' .. uid] and ((not best[uid]) or o < best[uid][1]) then
                    best[uid] = {o, hash['u:' .. uid], uid}
                  end
                end
              end
            end
            local all = {}
            for _, b in pairs(best) do table.insert(all, b) end
            table.sort(all, function(x, y)
              if x[1] ~= y[1] then return x[1] < y[1] end
              return x[3] < y[3]
            end)
            local out = {#all}
            local from = tonumber(ARGV[2])
            local to = math.min(#all, from + tonumber(ARGV[3]))
            for i = from + 1, to do table.insert(out, all[i][2]) end
            return out
            """;

    /**
     * Which of the users are on the board on another node. KEYS: nodes. ARGV: node, node hash prefix, userId, userId,
     * …. Returns those user ids.
     */
    static final String ELSEWHERE = """
            local nodes = redis.call('ZRANGE', KEYS[1], 0, -1)
            local out = {}
            for i = 3, #ARGV do
              for _, other in ipairs(nodes) do
                if other ~= ARGV[1] and redis.call('HEXISTS', ARGV[2] .. other, 'o:' .. ARGV[i]) == 1 then
                  table.insert(out, ARGV[i])
                  break
                end
              end
            end
            return out
            """;

    /** The board's WebSocket sessions on every node. KEYS: nodes. ARGV: node hash prefix. */
    static final String VIEWERS = VIEWERS_OF + """
            return viewers_of(redis.call('ZRANGE', KEYS[1], 0, -1), ARGV[1])
            """;

    /**
     * A node's connection counts, kept for {@code /admin/connections}. KEYS: {@code liveboard:nodes} (sorted set of
     * node ids by deadline), the node's key. ARGV: node, counts JSON, ttl ms.
     */
    static final String PUT_NODE = NOW + """
            local ttl = tonumber(ARGV[3])
            redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
            redis.call('PEXPIRE', KEYS[1], 3 * ttl)
            redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
            return 1
            """;

    /** The live nodes' counts. KEYS: {@code liveboard:nodes}. ARGV: node key prefix. Returns {node, JSON, …}. */
    static final String NODES = NOW + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local out = {}
            for _, node in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
              local counts = redis.call('GET', ARGV[1] .. node)
              if counts then
                table.insert(out, node)
                table.insert(out, counts)
              end
            end
            return out
            """;
}
