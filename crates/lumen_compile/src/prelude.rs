//! Builtins written in Lumen: those that call function arguments run on the interpreter's
//! explicit frames like every other call.

pub const SOURCE: &str = r#"
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

cell __await_race(results)
  return results[0]
end

cell __await_select(results)
  for r in results
    if r != null
      return r
    end
  end
  return null
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

cell sort_by(xs, key)
  let keyed = [(key(x), i, x) for (i, x) in enumerate(xs)]
  return [entry.2 for entry in sort(keyed)]
end
"#;
