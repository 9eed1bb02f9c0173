"""``mx.viz`` (``mx.visualization``): a symbol as a table of layers (``print_summary``) or as a
graphviz drawing (``plot_network``, on Debian's python3-graphviz), as MXNet's."""
import json
import warnings

from ._core import MXNetError
from .symbol import Symbol

_WEIGHT_SUFFIXES = ("_weight", "_bias", "_beta", "_gamma", "_moving_var", "_moving_mean",
                    "_running_var", "_running_mean")


def _looks_like_weight(name):
    """Whether a variable is a parameter (or auxiliary state) rather than an input."""
    return name.endswith(_WEIGHT_SUFFIXES)


def _check_symbol(symbol):
    if not isinstance(symbol, Symbol):
        raise MXNetError("symbol must be a Symbol, got %s" % type(symbol).__name__)


class _Graph(object):
    """The symbol's JSON nodes with, when ``shape`` is given, the shape of every entry."""

    def __init__(self, symbol, shape):
        conf = json.loads(symbol.tojson())
        self.nodes = conf["nodes"]
        self.heads = {h[0] for h in conf["heads"]}
        self.row_ptr = conf.get("node_row_ptr")
        self.shapes = None
        self.by_name = None
        if shape is not None:
            internals = symbol.get_internals()
            _, out_shapes, _ = internals.infer_shape(**shape)
            if out_shapes is None:
                raise MXNetError("the input shapes %s leave some shapes unknown" % (shape,))
            names = internals.list_outputs()
            if self.row_ptr is not None and len(names) == self.row_ptr[-1]:
                self.shapes = {("entry", i): s for i, s in enumerate(out_shapes)}
            self.by_name = dict(zip(names, out_shapes))

    def shape_of(self, node_id, output=0):
        """The shape of output ``output`` of node ``node_id`` (None when unknown)."""
        if self.shapes is not None:
            return self.shapes.get(("entry", self.row_ptr[node_id] + output))
        if self.by_name is None:
            return None
        node = self.nodes[node_id]
        if node["op"] == "null":
            return self.by_name.get(node["name"])
        return self.by_name.get(node["name"] + "_output") or \
            self.by_name.get("%s_output%d" % (node["name"], output))


def print_summary(symbol, shape=None, line_length=120, positions=(.44, .64, .74, 1.)):
    """Prints the layers of ``symbol``: name (type), output shape (without the batch axis, when
    ``shape`` gives the input shapes), parameter count and the layers feeding it; then the
    total. Parameters shared by several layers count once."""
    _check_symbol(symbol)
    graph = _Graph(symbol, shape)
    nodes = graph.nodes
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    def print_row(fields):
        line = ''
        for i, field in enumerate(fields):
            line += str(field)
            line = line[:positions[i]]
            line += ' ' * (positions[i] - len(line))
        print(line)

    print('_' * line_length)
    print_row(['Layer (type)', 'Output Shape', 'Param #', 'Previous Layer'])
    print('=' * line_length)
    counted = set()
    total = 0
    rows = [i for i, n in enumerate(nodes)
            if n["op"] != "null" or i in graph.heads or
            (not _looks_like_weight(n["name"]) and i == 0)]
    for k, i in enumerate(rows):
        node = nodes[i]
        params = 0
        previous = []
        for entry in node.get("inputs", []):
            src = nodes[entry[0]]
            if src["op"] != "null" or not _looks_like_weight(src["name"]):
                previous.append(src["name"])
                continue
            if src["name"] in counted:
                continue
            counted.add(src["name"])
            s = graph.shape_of(entry[0])
            if s is not None:
                size = 1
                for e in s:
                    size *= e
                params += size
        total += params
        out = graph.shape_of(i)
        out_text = "x".join(str(e) for e in out[1:]) if out else ''
        print_row(['%s(%s)' % (node["name"], node["op"]), out_text, params,
                   previous[0] if previous else ''])
        for name in previous[1:]:
            print_row(['', '', '', name])
        print(('=' if k == len(rows) - 1 else '_') * line_length)
    print("Total params: %d" % total)
    print('_' * line_length)
    return total


def _label(node):
    """The box text of an op node, as MXNet's plot_network."""
    op, attrs = node["op"], node.get("attrs", {})

    def tuple_text(key, default="1"):
        text = attrs.get(key)
        if not text:
            return default
        return "x".join(v.strip() for v in text.strip("()[]").split(",") if v.strip())

    if op == "Convolution":
        return r"Convolution\n%s/%s, %s" % (tuple_text("kernel"), tuple_text("stride"),
                                            attrs.get("num_filter", "?"))
    if op == "FullyConnected":
        return r"FullyConnected\n%s" % attrs.get("num_hidden", "?")
    if op in ("Activation", "LeakyReLU"):
        return r"%s\n%s" % (op, attrs.get("act_type", "leaky"))
    if op == "Pooling":
        return r"Pooling\n%s, %s/%s" % (attrs.get("pool_type", "max"), tuple_text("kernel"),
                                        tuple_text("stride"))
    return node["name"] if op != "Custom" else attrs.get("op_type", node["name"])


_COLORS = ("#8dd3c7", "#fb8072", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69",
           "#fccde5")


def _color(op):
    if op == "null":
        return _COLORS[0]
    if op in ("Convolution", "FullyConnected"):
        return _COLORS[1]
    if op in ("Activation", "LeakyReLU"):
        return _COLORS[2]
    if op == "BatchNorm":
        return _COLORS[3]
    if op == "Pooling":
        return _COLORS[4]
    if op in ("Concat", "Flatten", "Reshape"):
        return _COLORS[5]
    if op == "SoftmaxOutput":
        return _COLORS[6]
    return _COLORS[7]


def plot_network(symbol, title="plot", save_format='pdf', shape=None, node_attrs=None,
                 hide_weights=True):
    """A graphviz.Digraph of ``symbol``: inputs as ovals, layers as boxes labelled as MXNet's
    (kernel/stride and filters, hidden units, activation, pooling), edges from each layer to
    its inputs labelled with the shapes (without the batch axis) when ``shape`` gives the
    input shapes; parameters hidden unless ``hide_weights`` is False. Warns when several
    variables share a name (the drawing then joins them)."""
    try:
        from graphviz import Digraph
    except ImportError:
        raise MXNetError("plot_network needs the graphviz Python package (Debian's "
                         "python3-graphviz; tools/setup.sh installs it)") from None
    _check_symbol(symbol)
    graph = _Graph(symbol, shape)
    nodes = graph.nodes
    names = [n["name"] for n in nodes if n["op"] == "null"]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        warnings.warn("There are multiple variables with the same name in your graph, this may "
                      "result in cyclic graph. Repeated names: " + ','.join(repeated))
    attr = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034",
            "style": "filled"}
    attr.update(node_attrs or {})
    dot = Digraph(name=title, format=save_format)
    hidden = set()
    for node in nodes:
        op, name = node["op"], node["name"]
        this = dict(attr, fillcolor=_color(op))
        if op == "null":
            if _looks_like_weight(name) and hide_weights:
                hidden.add(name)
                continue
            this["shape"] = "oval"
            label = name
        else:
            label = _label(node)
        dot.node(name=name, label=label, **this)
    for node in nodes:
        if node["op"] == "null":
            continue
        for entry in node["inputs"]:
            src = nodes[entry[0]]
            if src["name"] in hidden:
                continue
            edge = {"dir": "back", "arrowtail": "open"}
            s = graph.shape_of(entry[0], entry[1])
            if s is not None:
                edge["label"] = "x".join(str(e) for e in s[1:])
            dot.edge(tail_name=node["name"], head_name=src["name"], **edge)
    return dot


__all__ = ["print_summary", "plot_network"]
