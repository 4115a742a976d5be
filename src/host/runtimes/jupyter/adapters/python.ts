/**
 * Python's introspection adapter: helpers kept in one hidden global (`_dispatch_introspect`),
 * bounded everywhere (reprs cut to 120 characters, children paged with `islice`, so a huge
 * collection never blocks), and paths as Python expressions (`data['a'][0]`, `obj.attr`).
 */
import { ANSWER_MARK, type IntrospectionAdapter } from "./adapter.js";

const SETUP = String.raw`
def _dispatch_make():
    import json, reprlib, itertools, types, sys, warnings
    r = reprlib.Repr()
    r.maxstring = 100; r.maxother = 100; r.maxlist = 8; r.maxdict = 8; r.maxlevel = 2
    hidden = {'In', 'Out', 'exit', 'quit', 'get_ipython'}
    def short(o):
        try:
            s = r.repr(o)
        except Exception as e:
            s = '<repr failed: %s>' % type(e).__name__
        return s if len(s) <= 120 else s[:119] + '\u2026'
    def size(o):
        if isinstance(o, (str, bytes, list, tuple, dict, set, frozenset)) or hasattr(o, '__len__'):
            try:
                return len(o)
            except Exception:
                return None
        return None
    def attrs(o):
        try:
            return sorted(k for k in vars(o) if not k.startswith('__'))
        except TypeError:
            return [k for k in dir(o) if not k.startswith('_') and not callable(getattr(o, k, None))]
    def expandable(o):
        if isinstance(o, (str, bytes, int, float, complex, bool, type(None))):
            return False
        if isinstance(o, (list, tuple, dict, set, frozenset)):
            return len(o) > 0
        return len(attrs(o)) > 0
    def entry(name, path, o):
        return {'name': name, 'type': type(o).__name__, 'repr': short(o), 'size': size(o), 'path': path, 'expandable': expandable(o)}
    def literal(k):
        return isinstance(k, (str, int, float, bool, type(None))) and not isinstance(k, float) or isinstance(k, tuple) and all(literal(x) for x in k)
    def children(o, path, offset, limit):
        if isinstance(o, dict):
            total = len(o)
            out = []
            for i, (k, v) in enumerate(itertools.islice(o.items(), offset, offset + limit)):
                p = '%s[%r]' % (path, k) if literal(k) else 'list(%s.values())[%d]' % (path, offset + i)
                out.append(entry(repr(k), p, v))
            return total, out
        if isinstance(o, (list, tuple)):
            return len(o), [entry('[%d]' % i, '%s[%d]' % (path, i), o[i]) for i in range(offset, min(len(o), offset + limit))]
        if isinstance(o, (set, frozenset)):
            return len(o), [entry('{%d}' % (offset + i), 'list(%s)[%d]' % (path, offset + i), v) for i, v in enumerate(itertools.islice(o, offset, offset + limit))]
        if isinstance(o, (str, bytes, int, float, complex, bool, type(None))):
            return 0, []
        names = attrs(o)
        return len(names), [entry(n, '%s.%s' % (path, n), getattr(o, n, None)) for n in names[offset:offset + limit]]
    def answer(o):
        # One write, which a kernel never splits between messages: the mark and the answer come together.
        sys.stdout.write(${JSON.stringify(ANSWER_MARK)} + json.dumps(o) + '\n')
        sys.stdout.flush()
    class Introspect:
        # Warnings the adapter's reprs and getattrs raise are not the user's: this request's
        # stderr goes to their last cell (a background thread's traceback may be on it).
        def variables(self, ns):
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                out = []
                for k, v in list(ns.items()):
                    if k.startswith('_') or k in hidden or isinstance(v, types.ModuleType):
                        continue
                    out.append(entry(k, k, v))
            answer({'variables': out[:1000]})
        def inspect(self, ns, expr, offset, limit):
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                try:
                    o = eval(expr, ns)
                except Exception as e:
                    answer({'error': '%s: %s' % (type(e).__name__, e)})
                    return
                total, kids = children(o, expr if expr.isidentifier() else '(%s)' % expr, offset, limit)
                found = {'path': expr, 'type': type(o).__name__, 'repr': short(o), 'size': size(o), 'children': kids, 'total': total, 'offset': offset}
            answer(found)
    return Introspect()
_dispatch_introspect = _dispatch_make()
del _dispatch_make
`;

export const pythonAdapter: IntrospectionAdapter = {
  name: "python",
  setup: SETUP,
  variables: () => "_dispatch_introspect.variables(globals())",
  inspect: (expr, offset, limit) =>
    `_dispatch_introspect.inspect(globals(), ${JSON.stringify(expr)}, ${offset}, ${limit})`,
  lastResult: "_",
};
