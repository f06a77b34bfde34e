"""A real OpenID Connect provider (node oidc-provider) for the single sign-on tests."""
