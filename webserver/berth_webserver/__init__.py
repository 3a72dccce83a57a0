"""berth webserver: the GraphQL API over the code locations."""
