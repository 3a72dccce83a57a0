"""Dynamic outputs kept by a custom IO manager: handle_output and load_input see the mapping key."""
from dagster import DynamicOut, DynamicOutput, IOManager, io_manager, job, op


class KeyedIOManager(IOManager):
    def __init__(self):
        self.values = {}

    def handle_output(self, context, obj):
        self.values[(context.step_key, context.name, context.mapping_key)] = obj

    def load_input(self, context):
        upstream = context.upstream_output
        value = self.values[(upstream.step_key, upstream.name, upstream.mapping_key)]
        return f"{value}@{upstream.mapping_key}"


@io_manager
def keyed_io_manager():
    return KeyedIOManager()


@op(out=DynamicOut(io_manager_key="keyed"))
def emit_words():
    for word in ["alpha", "beta"]:
        yield DynamicOutput(word, mapping_key=word)


@op
def describe(context, word):
    context.log.info(f"describing {word}")
    return word.upper()


@op
def join(words):
    return ",".join(sorted(words))


@job(resource_defs={"keyed": keyed_io_manager})
def dynamic_io_manager_job():
    join(emit_words().map(describe).collect())


CASES = [{"job": "dynamic_io_manager_job"}]
