"""Runs every code block of docs/python_guide.md (MXNet's Python guide on mx), in order, in one
shared session, and compares what each prints with the output the guide shows (doctest). Blocks
tagged ``gpu`` need a GPU (they skip without one); blocks tagged ``s3`` run against an S3-compatible
server (s3rver, installed by tools/setup.sh) started on 127.0.0.1 with a bucket ``mybucket``."""
import doctest
import os
import shutil
import socket
import subprocess
import tempfile
import time

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
    if tag not in ('', 'gpu', 's3'):
        raise ValueError('unknown block tag %r' % tag)
    return None


@pytest.fixture(scope='module')
def s3_store():
    """s3rver on a free local port with the guide's bucket; the AWS_* variables point at it."""
    assert shutil.which('s3rver'), 's3rver is missing: run tools/setup.sh'
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    folder = tempfile.mkdtemp()
    server = subprocess.Popen(['s3rver', '-d', folder, '-a', '127.0.0.1', '-p', str(port), '-s',
                               '--configure-bucket', 'mybucket'])
    for _ in range(300):
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    os.environ.update(AWS_ACCESS_KEY_ID='S3RVER', AWS_SECRET_ACCESS_KEY='S3RVER',
                      AWS_REGION='us-east-1', AWS_ENDPOINT_URL='http://127.0.0.1:%d' % port)
    yield
    server.terminate()
    server.wait()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize('line,heading,tag,code', BLOCKS,
                         ids=['line%d' % b[0] for b in BLOCKS])
def test_guide_block(line, heading, tag, code, request):
    reason = skip_reason(tag)
    if reason:
        pytest.skip(reason)
    if tag == 's3':
        request.getfixturevalue('s3_store')
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
