"""Runs every code block of docs/python_guide.md (MXNet's Python guide on mx), in order, in one
shared session, and compares what each prints with the output the guide shows (doctest). Blocks
tagged ``gpu`` need a GPU and blocks tagged ``s3`` need s3:// support; without them they skip."""
import doctest
import os

import pytest

import mxnet as mx

GUIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'docs',
                     'python_guide.md')


def guide_blocks():
    """(line, heading, tag, code) of every ```python block."""
    blocks, heading, code, start, tag = [], '', None, 0, ''
    with open(GUIDE) as f:
        for number, line in enumerate(f, 1):
            if code is None and line.startswith('#'):
                heading = line.strip('# \n')
            elif code is None and line.startswith('```python'):
                code, start, tag = [], number, line[len('```python'):].strip()
            elif code is not None and line.startswith('```'):
                blocks.append((start, heading, tag, ''.join(code)))
                code = None
            elif code is not None:
                code.append(line)
    return blocks


BLOCKS = guide_blocks()
SESSION = {}  # the names every block defined so far


def skip_reason(tag):
    if tag == 'gpu' and mx.context.num_gpus() == 0:
        return 'needs a GPU (this build has no CUDA backend or the machine has no GPU)'
    if tag == 's3':
        return 'needs s3:// storage (not in this build)'
    if tag:
        raise ValueError('unknown block tag %r' % tag)
    return None


@pytest.mark.parametrize('line,heading,tag,code', BLOCKS,
                         ids=['line%d' % b[0] for b in BLOCKS])
def test_guide_block(line, heading, tag, code):
    reason = skip_reason(tag)
    if reason:
        pytest.skip(reason)
    test = doctest.DocTestParser().get_doctest(code, SESSION, '%s (%s)' % (heading, line),
                                               GUIDE, line)
    assert test.examples, 'a block without >>> examples at line %d' % line
    report = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=report.append, clear_globs=False)
    SESSION.update(test.globs)
    if runner.failures:
        pytest.fail(''.join(report), pytrace=False)


def test_guide_has_blocks():
    assert len(BLOCKS) > 30
