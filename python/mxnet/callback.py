"""``mx.callback``: callbacks for FeedForward.fit: ``do_checkpoint(prefix)`` after each epoch,
``Speedometer(batch_size, frequent)`` and ``log_train_metric(period)`` after batches."""
import logging
import time

from .model import save_checkpoint


def do_checkpoint(prefix, period=1):
    """Saves prefix-symbol.json and prefix-%04d.params (epoch + 1) every ``period`` epochs."""
    period = int(max(1, period))

    def _callback(iter_no, sym, arg, aux):
        if (iter_no + 1) % period == 0:
            save_checkpoint(prefix, iter_no + 1, sym, arg, aux)
    return _callback


def log_train_metric(period):
    """Logs the running training metrics every ``period`` batches."""
    def _callback(param):
        if param.nbatch % period == 0:
            for name, value in param.eval_metric.get_name_value():
                logging.info('Iter[%d] Batch[%d] Train-%s=%f', param.epoch, param.nbatch, name,
                             value)
    return _callback


class Speedometer(object):
    """Logs samples per second (and the running metrics) every ``frequent`` batches."""

    def __init__(self, batch_size, frequent=50):
        self.batch_size = batch_size
        self.frequent = frequent
        self.init = False
        self.tic = 0
        self.last_count = 0

    def __call__(self, param):
        count = param.nbatch
        if self.last_count > count:
            self.init = False
        self.last_count = count
        if self.init:
            if count % self.frequent == 0:
                speed = self.frequent * self.batch_size / (time.time() - self.tic)
                values = ''.join('\tTrain-%s=%f' % nv for nv in param.eval_metric.get_name_value())
                logging.info('Epoch[%d] Batch [%d]\tSpeed: %.2f samples/sec%s', param.epoch,
                             count, speed, values)
                self.tic = time.time()
        else:
            self.init = True
            self.tic = time.time()


__all__ = ["do_checkpoint", "log_train_metric", "Speedometer"]
