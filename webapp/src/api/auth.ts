// The login endpoints of /api/v1/auth (server/auth/api.py).
import { apiGet, apiSend, type ApiResponse } from "./client";
import type { LoginResponse, Me } from "./types";

/** Start a cookie session (HttpOnly `rayon_session` + readable `rayon_csrf`). */
export function postLogin(email: string, password: string): Promise<LoginResponse> {
  return apiSend<LoginResponse>("POST", "/auth/login", { email, password, cookie: true }, { quiet401: true });
}

export function postLogout(): Promise<null> {
  return apiSend<null>("POST", "/auth/logout", undefined, { quiet401: true });
}

export function getMe(quiet401 = true): Promise<ApiResponse<Me>> {
  return apiGet<Me>("/auth/me", undefined, { quiet401 });
}

/** Set a password with an invitation or reset link's token. */
export function acceptLink(token: string, password: string): Promise<{ email: string; message: string }> {
  return apiSend("POST", "/auth/accept", { token, password }, { quiet401: true });
}
