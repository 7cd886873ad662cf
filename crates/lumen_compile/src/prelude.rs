//! Builtins written in Lumen: those that call function arguments run on the interpreter's
//! explicit frames like every other call.

pub const SOURCE: &str = r#"
record Message
  role: String
  content: String
end

cell map(xs, f)
  let mut out = []
  for x in xs
    out = append(out, f(x))
  end
  return out
end

cell filter(xs, p)
  let mut out = []
  for x in xs
    if p(x)
      out = append(out, x)
    end
  end
  return out
end

cell reduce(xs, f, init)
  let mut acc = init
  for x in xs
    acc = f(acc, x)
  end
  return acc
end

cell to_list(xs)
  if type_of(xs) == "Generator"
    let mut out = []
    for x in xs
      out = append(out, x)
    end
    return out
  end
  return __to_list(xs)
end

cell fold(xs, f, init)
  return reduce(xs, f, init)
end

cell flat_map(xs, f)
  let mut out = []
  for x in xs
    for y in f(x)
      out = append(out, y)
    end
  end
  return out
end

cell any(xs, p)
  for x in xs
    if p(x)
      return true
    end
  end
  return false
end

cell all(xs, p)
  for x in xs
    if not p(x)
      return false
    end
  end
  return true
end

cell find(xs, p)
  for x in xs
    if p(x)
      return x
    end
  end
  return null
end

cell position(xs, p)
  let mut i = 0
  for x in xs
    if p(x)
      return i
    end
    i += 1
  end
  return -1
end

cell count_where(xs, p)
  let mut n = 0
  for x in xs
    if p(x)
      n += 1
    end
  end
  return n
end

cell group_by(xs, key)
  let mut groups = {}
  for x in xs
    let k = key(x)
    let mut members = groups[k] ?? []
    members = append(members, x)
    groups[k] = members
  end
  return groups
end

cell partition(xs, p)
  let mut yes = []
  let mut no = []
  for x in xs
    if p(x)
      yes = append(yes, x)
    else
      no = append(no, x)
    end
  end
  return (yes, no)
end

cell each(xs, f)
  for x in xs
    f(x)
  end
  return null
end

cell __timeout_timer(ms)
  sleep(ms)
  return null
end

async cell timeout(ms, e)
  let timer = spawn(__timeout_timer, ms)
  return await race
    e
    timer
  end
end

cell __await_vote(results)
  let mut best = results[0]
  let mut best_count = 0
  for candidate in results
    let mut n = 0
    for other in results
      if other == candidate
        n += 1
      end
    end
    if n > best_count
      best = candidate
      best_count = n
    end
  end
  return best
end

cell __compose(f, g)
  return fn(v) => g(f(v))
end

cell __insert_first(f, rest)
  return fn(v) => f(v, ...rest)
end

cell sort_by(xs, key)
  let keyed = [(key(x), i, x) for (i, x) in enumerate(xs)]
  return [entry.2 for entry in sort(keyed)]
end
"#;

/// Built-in methods of processes (LANGUAGE.md 7.6-7.8); `self` is the instance and its state
/// is read and written with `__inst_get` / `__inst_set`.
pub const PROCESS_SOURCE: &str = r#"
cell __memory_append(self, v)
  let mut entries = __inst_get(self, "__entries") ?? []
  entries = append(entries, v)
  let cap = __inst_get(self, "capacity")
  if cap != null and length(entries) > cap
    entries = drop(entries, length(entries) - cap)
  end
  __inst_set(self, "__entries", entries)
  return null
end

cell __memory_recent(self, n = 10)
  let entries = __inst_get(self, "__entries") ?? []
  if n <= 0
    return []
  end
  return drop(entries, length(entries) - n)
end

cell __memory_recall(self, query, n = 5)
  let entries = __inst_get(self, "__entries") ?? []
  let q = lower(to_string(query))
  let found = [e for e in entries if contains(lower(to_string(e)), q)]
  if n <= 0
    return []
  end
  return drop(found, length(found) - n)
end

cell __memory_store(self, key, v)
  let mut kv = __inst_get(self, "__kv") ?? {}
  kv[key] = v
  __inst_set(self, "__kv", kv)
  return null
end

cell __memory_get(self, key)
  let kv = __inst_get(self, "__kv") ?? {}
  return kv[key]
end

cell __memory_query(self, filter)
  let kv = __inst_get(self, "__kv") ?? {}
  return [v for (k, v) in kv if contains(to_string(k), filter)]
end

cell __memory_delete(self, key)
  let kv = __inst_get(self, "__kv") ?? {}
  __inst_set(self, "__kv", remove(kv, key))
  return null
end

cell __memory_count(self)
  return length(__inst_get(self, "__entries") ?? [])
end

cell __memory_clear(self)
  __inst_set(self, "__entries", [])
  __inst_set(self, "__kv", {})
  return null
end

cell __machine_enter(self, name, args)
  let info = __inst_get(self, "__states")[name]
  if info == null
    halt("machine {__inst_name(self)} has no state {name}")
  end
  let params = info.0
  if length(params) != length(args)
    halt("machine {__inst_name(self)}: state {name} takes {length(params)} values, got {length(args)}")
  end
  let mut payload = {}
  let mut i = 0
  for p in params
    payload[p] = args[i]
    i += 1
  end
  __inst_set(self, "__current", name)
  __inst_set(self, "__payload", payload)
  __inst_set(self, "__args", args)
  if info.3 != null
    info.3(...args)
  end
  return null
end

cell __machine_start(self, ...args)
  __machine_enter(self, __inst_get(self, "__initial"), args)
  __inst_set(self, "__steps", 0)
  return null
end

cell __machine_step(self)
  let name = __inst_get(self, "__current")
  if name == ""
    halt("machine {__inst_name(self)} not started")
  end
  let info = __inst_get(self, "__states")[name]
  if info.1
    return name
  end
  let args = __inst_get(self, "__args")
  let next = info.2(...args)
  if next == null
    return name
  end
  if info.4 != null
    info.4(...args)
  end
  __machine_enter(self, next.0, next.1)
  __inst_set(self, "__steps", __inst_get(self, "__steps") + 1)
  return next.0
end

cell __machine_is_terminal(self)
  let name = __inst_get(self, "__current")
  if name == ""
    return false
  end
  return __inst_get(self, "__states")[name].1
end

cell __machine_run(self, ...args)
  if __inst_get(self, "__current") == ""
    __machine_enter(self, __inst_get(self, "__initial"), args)
    __inst_set(self, "__steps", 0)
  end
  let limit = __inst_get(self, "max_steps") ?? 10000
  let mut n = 0
  while not __machine_is_terminal(self)
    if n >= limit
      halt("machine {__inst_name(self)} did not terminate")
    end
    __machine_step(self)
    n += 1
  end
  return __inst_get(self, "__current")
end

cell __machine_current_state(self)
  return __inst_get(self, "__current")
end

cell __machine_payload(self)
  return __inst_get(self, "__payload") ?? {}
end

cell __machine_steps(self)
  return __inst_get(self, "__steps")
end

cell __machine_resume_from(self, state, ...args)
  __machine_enter(self, state, args)
  return state
end

cell __pipeline_run(self, input)
  let mut v = input
  for stage in __inst_get(self, "__stages") ?? []
    v = stage(self, v)
  end
  return v
end

cell __orchestration_run(self, input)
  return [stage(self, input) for stage in __inst_get(self, "__stages") ?? []]
end
"#;
