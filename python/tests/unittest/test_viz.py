"""Port of MXNet's tests/python/unittest/test_viz.py (2016-2018): print_summary of a small
network with and without input shapes, and plot_network's drawing (its duplicate-name
warning). What the port adds: the parameter total and the drawn nodes, labels and edge shapes
are checked, not only that the calls run. Changes: Python 3; MXNet skipped the drawing when the
graphviz package was missing, tools/setup.sh installs it here (python3-graphviz)."""
import warnings

import mxnet as mx


def _summary_network():
    data = mx.sym.Variable('data')
    bias = mx.sym.Variable('fc1_bias', lr_mult=1.0)
    emb1 = mx.symbol.Embedding(data=data, name='emb1', input_dim=100, output_dim=28)
    conv1 = mx.symbol.Convolution(data=emb1, name='conv1', num_filter=32, kernel=(3, 3),
                                  stride=(2, 2))
    bn1 = mx.symbol.BatchNorm(data=conv1, name="bn1")
    act1 = mx.symbol.Activation(data=bn1, name='relu1', act_type="relu")
    mp1 = mx.symbol.Pooling(data=act1, name='mp1', kernel=(2, 2), stride=(2, 2),
                            pool_type='max')
    fc1 = mx.sym.FullyConnected(data=mp1, bias=bias, name='fc1', num_hidden=10, lr_mult=0)
    fc2 = mx.sym.FullyConnected(data=fc1, name='fc2', num_hidden=10, wd_mult=0.5)
    return mx.symbol.SliceChannel(data=fc2, num_outputs=10, name="slice_1", squeeze_axis=0)


def test_print_summary(capsys):
    sc1 = _summary_network()
    mx.viz.print_summary(sc1)
    shape = {"data": (1, 3, 28)}
    total = mx.viz.print_summary(sc1, shape)
    printed = capsys.readouterr().out
    # emb1 100*28 (output (1,3,28,28): 3 channels); conv1 32*3*3*3 + 32 -> (1,32,13,13);
    # bn1 gamma, beta, moving mean and var 4*32; pool -> (1,32,6,6); fc1 1152*10 + 10;
    # fc2 10*10 + 10.
    expected = 100 * 28 + (32 * 3 * 9 + 32) + 4 * 32 + (32 * 6 * 6 * 10 + 10) + (10 * 10 + 10)
    assert total == expected
    assert "Total params: %d" % expected in printed
    for row in ("emb1(Embedding)", "conv1(Convolution)", "32x13x13", "mp1(Pooling)",
                "slice_1(SliceChannel)"):
        assert row in printed, row


def test_plot_network():
    net = mx.sym.Variable('data')
    net = mx.sym.FullyConnected(data=net, name='fc', num_hidden=128)
    net = mx.sym.Activation(data=net, name='relu1', act_type="relu")
    net = mx.sym.FullyConnected(data=net, name='fc', num_hidden=10)
    net = mx.sym.SoftmaxOutput(data=net, name='out')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        digraph = mx.viz.plot_network(net, shape={'data': (100, 200)},
                                      node_attrs={"fixedsize": "false"})
    assert len(w) == 1
    assert "There are multiple variables with the same name in your graph" in str(w[-1].message)
    assert "fc" in str(w[-1].message)
    source = digraph.source
    assert r"FullyConnected\n128" in source and r"Activation\nrelu" in source
    assert 'label=128' in source  # the first layer's output, batch axis dropped
    assert 'fc_weight' not in source  # parameters hidden


def test_plot_network_shapes_and_weights():
    """(Added by the port.) Convolution and pooling labels, an edge per input with its shape,
    parameters shown on request."""
    data = mx.sym.Variable('data')
    conv = mx.sym.Convolution(data, name='conv', kernel=(5, 5), stride=(2, 2), num_filter=8)
    pool = mx.sym.Pooling(conv, name='pool', kernel=(2, 2), stride=(2, 2), pool_type='avg')
    dot = mx.viz.plot_network(pool, shape={'data': (4, 3, 28, 28)}, hide_weights=False)
    source = dot.source
    assert r"Convolution\n5x5/2x2, 8" in source
    assert r"Pooling\navg, 2x2/2x2" in source
    assert 'pool -> conv' in source and 'label="8x12x12"' in source
    assert 'conv -> conv_weight' in source
    try:
        mx.viz.plot_network("not a symbol")
        assert False, "expected an MXNetError"
    except mx.MXNetError as e:
        assert "must be a Symbol" in str(e)
