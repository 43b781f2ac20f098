/** The signed-in account as ms-users' GET /api/users/me presents it (the parts pages show). */
export interface Profile {
  id: string;
  username: string;
  email: string;
  role: string;
  companyName: string;
  displayName: string | null;
  createdAt: string;
}

const get = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;

export function toProfile(body: unknown): Profile | null {
  const fields = ['id', 'username', 'email', 'role', 'companyName', 'createdAt'].map((key) => get(body, key));
  const [id, username, email, role, companyName, createdAt] = fields;
  if (
    typeof id !== 'string' ||
    typeof username !== 'string' ||
    typeof email !== 'string' ||
    typeof role !== 'string' ||
    typeof companyName !== 'string' ||
    typeof createdAt !== 'string'
  )
    return null;
  const displayName = get(body, 'displayName');
  return {
    id,
    username,
    email,
    role,
    companyName,
    displayName: typeof displayName === 'string' ? displayName : null,
    createdAt,
  };
}
