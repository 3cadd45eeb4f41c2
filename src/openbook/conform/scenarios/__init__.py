"""Each block's stateful scenario: the order of requests that exercises its interface's promises."""
