"""A @resource with config, reached through required_resource_keys and context.resources."""
from dagster import job, op, resource


class Greeter:
    def __init__(self, greeting):
        self.greeting = greeting

    def greet(self, name):
        return f"{self.greeting}, {name}!"


@resource(config_schema={"greeting": str})
def greeter(init_context):
    return Greeter(init_context.resource_config["greeting"])


@op(required_resource_keys={"greeter"})
def greet(context):
    message = context.resources.greeter.greet("world")
    context.log.info(message)
    return message


@job(resource_defs={"greeter": greeter})
def greet_job():
    greet()


CASES = [
    {"job": "greet_job", "run_config": {"resources": {"greeter": {"config": {"greeting": "Hello"}}}}},
    {"job": "greet_job", "run_config": {}},
    {"job": "greet_job", "run_config": {"resources": {"greeter": {"config": {"greeting": 5}}}}},
]
