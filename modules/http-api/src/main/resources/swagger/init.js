// Swagger UI for this server's contract. Signing in once is enough: the token that the sign-in page
// (/identity), the console or this page's Authorize dialog obtained lives in sessionStorage ("token",
// gone with the tab) and is handed to Swagger UI when the page loads. "Authorize" offers both ways:
// signIn (user name and password, OAuth2 password flow against /identity/connect/token) and
// bearerAuth (a pasted token).
const TOKEN_KEY = "token";

function liveToken() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return claims.exp && claims.exp * 1000 <= Date.now() ? null : token;
  } catch (e) { return null; }
}

// Swagger UI keeps the whole dialog state of an OAuth2 sign-in, password included, as the
// authorization (and would write it to localStorage with persistAuthorization). Only the token is
// kept here, and it goes to the shared session.
const SessionHandoff = () => ({
  statePlugins: {
    auth: {
      wrapActions: {
        authorizeOauth2: original => payload => {
          const auth = Object.assign({}, payload.auth);
          delete auth.password;
          delete auth.clientSecret;
          if (payload.token && payload.token.access_token) sessionStorage.setItem(TOKEN_KEY, payload.token.access_token);
          return original(Object.assign({}, payload, { auth }));
        },
        logout: original => names => {
          sessionStorage.removeItem(TOKEN_KEY);
          return original(names);
        }
      }
    }
  }
});

window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  plugins: [SessionHandoff],
  onComplete: () => {
    const token = liveToken();
    if (token) window.ui.preauthorizeApiKey("bearerAuth", token);
  }
});
